/**
 * {@code harness churn}: changes a maps folder on a schedule as a live network would (costs and
 * prefixes moving), each file replaced atomically, so that push mode has real work.
 *
 * <p>Touches only the folder it is given; starts no server.
 */
package org.rproxy.harness.churn;

/**
 * {@code harness topology}: a deterministic synthetic ISP (points of presence, links, prefixes,
 * shortest-path costs) written as a maps folder the origin serves. The same spec, seed included,
 * always gives the same folder.
 *
 * <p>Writes files only; starts no server.
 */
package org.rproxy.harness.topology;

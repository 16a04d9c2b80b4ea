/**
 * The streaming viewers: many subscribers of one proxy's update stream, each an HTTP/2 stream,
 * rebuilding and verifying every update, and the propagation time of each change to them all.
 *
 * <p>Verifies what subscribers apply (once per distinct signing); starts no server.
 */
package org.rproxy.harness.stream;

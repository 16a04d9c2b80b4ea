/**
 * Signed bundles: a signed response kept as an {@code application/http} file that verifies
 * offline, so that an overlay peer can hand it on and a node can serve it without the origin.
 * {@code SignedBundle} writes one; {@code BundleParser} reads one strictly (CRLF only, no folding,
 * no duplicated framing fields), refusing a file with the line and field at fault.
 *
 * <p>Keeps no key and no verifier of its own: a bundle read is only well formed, and is checked
 * by the caller's {@code ResponseVerifier} ({@code SignedBundle#verify}) like any other
 * response before anything holds it.
 */
package org.rproxy.core.bundle;

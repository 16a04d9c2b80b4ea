/**
 * What a node writes for a request target, prepared once: a {@code Representation} with its
 * identity and gzip {@code Variant}s (bytes, digest, ETag, signature fields), and the proxy's
 * {@code RepresentationStore}, bounded by bytes, whose large bodies go to spool files
 * ({@code BodySpool}, {@code SpooledBody}) for {@code sendfile}. Listeners hear every store,
 * removal and eviction on the writing thread.
 *
 * <p>Must not verify or judge freshness (the feeds do both before they store), and no read may
 * block or run maintenance on the reading thread, which is an event loop.
 */
package org.rproxy.core.store;

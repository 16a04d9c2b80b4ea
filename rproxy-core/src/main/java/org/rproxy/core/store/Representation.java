package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Everything the front end needs to answer a request for one resource: the identity variant,
 * optionally a gzip variant prepared once, and the validity of the signature(s).
 *
 * @param identity     the uncompressed variant
 * @param gzip         the gzip variant, or null when there is none (small bodies)
 * @param maxAgeSeconds the freshness lifetime advertised in {@code Cache-Control: max-age}
 * @param created      when the origin signed it (for unsigned, computed answers: when computed)
 * @param expires      when the signature runs out; never serve after this
 */
public record Representation(Variant identity, Variant gzip, long maxAgeSeconds, Instant created, Instant expires) {
    public Representation {
        requireNonNull(identity, "identity");
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
        if (maxAgeSeconds < 0) {
            throw new IllegalArgumentException("maxAgeSeconds: " + maxAgeSeconds + " (expected: >= 0)");
        }
        if (gzip != null && !"gzip".equals(gzip.contentEncoding())) {
            throw new IllegalArgumentException("gzip: content-encoding " + gzip.contentEncoding() + " (expected: gzip)");
        }
    }

    /** The variant to send for a request that accepts gzip or not. */
    public Variant select(boolean acceptsGzip) {
        return acceptsGzip && gzip != null ? gzip : identity;
    }

    /** Bytes held in memory, for the store's byte bound. */
    public long weight() {
        return identity.weight() + (gzip == null ? 0 : gzip.weight());
    }
}

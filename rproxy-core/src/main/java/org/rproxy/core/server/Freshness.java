package org.rproxy.core.server;

import java.time.Duration;
import java.time.Instant;

import org.rproxy.core.store.Representation;

/**
 * The {@code max-age} advertised for a representation (RFC 9111 §5.2.2.1): the representation's
 * own lifetime, cut so that no cache keeps it past the signature's {@code expires}, and never
 * negative. Stateless.
 */
final class Freshness {

    private Freshness() {
    }

    static long maxAgeSeconds(Representation representation, Instant now) {
        long left = Duration.between(now, representation.expires()).getSeconds();
        return Math.max(0, Math.min(representation.maxAgeSeconds(), left));
    }
}

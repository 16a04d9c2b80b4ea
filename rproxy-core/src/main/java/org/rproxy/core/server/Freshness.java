package org.rproxy.core.server;

import java.time.Duration;
import java.time.Instant;

import org.rproxy.core.store.Representation;

/**
 * The {@code Cache-Control} sent with a representation, every directive true for the signature
 * it carries:
 *
 * <ul>
 *   <li>{@code max-age} (RFC 9111 §5.2.2.1): the representation's own lifetime, cut so that no
 *       cache keeps it fresh past the signature's {@code expires}; never negative.</li>
 *   <li>{@code no-transform} (RFC 9110 §7.7): the signature covers {@code content-digest}, a
 *       digest of the bytes as sent, so a cache that re-encodes the body breaks every copy.</li>
 *   <li>{@code stale-while-revalidate} (RFC 5861 §3): one more {@code max-age} at most, the time a
 *       background revalidation needs with plenty to spare; a copy idle longer is revalidated
 *       before it is served again, so a stale answer is never much older than two max-ages.</li>
 *   <li>{@code stale-if-error} (RFC 5861 §4): what is left of the signature after
 *       {@code max-age}, so a cache that serves a stale copy in an outage never serves one whose
 *       signature has run out. An {@code Age} the response carries only shortens the real windows.</li>
 * </ul>
 *
 * <p>A window that is zero is left out. The same rule holds for unsigned computed answers: their
 * {@code expires} is the earliest of the signed documents they name, so a stale answer served
 * within the windows still follows from maps a client can verify. Stateless.
 */
final class Freshness {

    private Freshness() {
    }

    static long maxAgeSeconds(Representation representation, Instant now) {
        return Math.max(0, Math.min(representation.maxAgeSeconds(), secondsLeft(representation, now)));
    }

    /** Seconds after {@code max-age} that a stale copy may be served while it is revalidated. */
    static long staleWhileRevalidateSeconds(Representation representation, Instant now) {
        return Math.min(representation.maxAgeSeconds(), staleIfErrorSeconds(representation, now));
    }

    /** Seconds after {@code max-age} that a stale copy may be served when the upstream fails. */
    static long staleIfErrorSeconds(Representation representation, Instant now) {
        return Math.max(0, secondsLeft(representation, now) - maxAgeSeconds(representation, now));
    }

    static String cacheControl(Representation representation, Instant now) {
        StringBuilder b = new StringBuilder(80).append("max-age=").append(maxAgeSeconds(representation, now))
                .append(", no-transform");
        long swr = staleWhileRevalidateSeconds(representation, now);
        if (swr > 0) {
            b.append(", stale-while-revalidate=").append(swr);
        }
        long sie = staleIfErrorSeconds(representation, now);
        if (sie > 0) {
            b.append(", stale-if-error=").append(sie);
        }
        return b.toString();
    }

    private static long secondsLeft(Representation representation, Instant now) {
        return Duration.between(now, representation.expires()).getSeconds();
    }
}

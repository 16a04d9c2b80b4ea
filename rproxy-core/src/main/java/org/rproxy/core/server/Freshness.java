package org.rproxy.core.server;

import java.time.Instant;

import org.rproxy.core.store.Representation;

/**
 * The {@code Cache-Control} sent with a representation, every directive true for the signature
 * it carries:
 *
 * <ul>
 *   <li>{@code max-age} (RFC 9111 §5.2.2.1): the representation's lifetime, cut at the
 *       signature's {@code expires} ({@link Representation#maxAgeAt}).</li>
 *   <li>{@code no-transform} (RFC 9110 §7.7): the signature covers {@code content-digest}, a
 *       digest of the bytes as sent, so a cache that re-encodes the body breaks every copy.</li>
 *   <li>{@code stale-while-revalidate} (RFC 5861 §3): one more max-age at most
 *       ({@link Representation#staleWhileRevalidateAt}); a copy idle longer is revalidated before
 *       it is served again, so a stale answer is never much older than two max-ages.</li>
 *   <li>{@code stale-if-error} (RFC 5861 §4): what is left of the signature after the max-age
 *       ({@link Representation#staleIfErrorAt}), so a cache serving a stale copy in an outage
 *       never serves one whose signature has run out.</li>
 *   <li>{@code must-revalidate} or {@code proxy-revalidate} (RFC 9111 §5.2.2.2, §5.2.2.8) when
 *       the response a proxy's copy came in said so ({@link Representation#revalidation}), and then
 *       no stale window ({@code stale-while-revalidate=0}, no {@code stale-if-error}): caches
 *       downstream must revalidate it once stale, as this node does. Not
 *       signed, so not binding on a cache a client does not trust; it can only make a copy be
 *       asked for sooner, and the signature's {@code expires} bounds every copy whatever it says.</li>
 *   <li>A copy a proxy holds goes out with its {@code Age}, and the windows are cut at
 *       {@code expires} counting from this node's clock, not from the time the response was that
 *       old: a cache that ignores {@code Age} (nginx 1.22) still ends them before {@code expires},
 *       one that honours it ends them that much earlier.</li>
 * </ul>
 *
 * <p>A {@code stale-if-error} that is zero is left out; a {@code stale-while-revalidate} that is
 * zero is sent as {@code stale-while-revalidate=0}, as it is beside {@code must-revalidate}:
 * Varnish takes its grace from it and, when it is absent, applies its {@code default_grace}
 * (10 s) whatever else the field says, so a Varnish with no VCL of its own served a copy fetched
 * near the signature's end past its {@code expires} (in grace, while it fetched the next in the
 * background), and a copy that must be revalidated stale for 10 s with the node gone. Unsigned answers get the same rule: a computed answer's
 * {@code expires} is the earliest of the signed documents it names (and at a proxy it goes out
 * with the {@code Age} of the oldest copy it was computed from), an answer a pull proxy passes on
 * ends where its upstream's windows end, so a stale answer served within the windows still
 * follows from maps a client can verify. Stateless.
 */
final class Freshness {

    private Freshness() {
    }

    static String cacheControl(Representation representation, Instant now) {
        Representation.Windows w = representation.windowsAt(now);
        StringBuilder b = new StringBuilder(80).append("max-age=").append(w.maxAge()).append(", no-transform");
        b.append(", stale-while-revalidate=").append(w.staleWhileRevalidate()); // 0 when it must be revalidated
        long sie = w.staleIfError();
        if (sie > 0) {
            b.append(", stale-if-error=").append(sie);
        }
        String revalidate = representation.revalidation().directive();
        if (revalidate != null) {
            b.append(", ").append(revalidate);
        }
        return b.toString();
    }
}

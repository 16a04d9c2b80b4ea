package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation.Revalidation;
import org.rproxy.core.store.Variant;

/**
 * One verified variant as held, with what the proxy needs to renew it: its validity (from the
 * origin signature, or from {@code max-age} for an unsigned computed answer) and the freshness
 * of the response it came in.
 *
 * @param variant         body and stored header fields (with this proxy's {@code via})
 * @param signed          whether it carries an origin signature that verified
 * @param created         the signature's {@code created} (unsigned: when fetched)
 * @param expires         the signature's {@code expires} (unsigned: end of its max-age)
 * @param fetchedAt       when the response that last confirmed it arrived
 * @param maxAgeSeconds   that response's freshness lifetime for a shared cache: its {@code s-maxage}, else its {@code max-age} ({@link HeaderRules#sharedMaxAge})
 * @param ageSeconds      that response's corrected initial age (RFC 9111 §4.2.3: its {@code Age},
 *                        or the time since its {@code Date} when larger)
 * @param staleWhileRevalidateSeconds that response's {@code stale-while-revalidate} (RFC 5861), 0 when absent
 * @param staleIfErrorSeconds that response's {@code stale-if-error} (RFC 5861), 0 when absent (for an
 *                        unsigned answer, served here only while fresh, it says how long caches
 *                        further on may keep it: see {@link CachedCopy})
 * @param revalidation    that response said {@code must-revalidate}, {@code proxy-revalidate} or
 *                        {@code s-maxage} ({@link HeaderRules#revalidation}): once stale it is served
 *                        only after a revalidation, in no window (which are then 0) and not in an
 *                        outage; and it is passed on, so caches downstream do the same
 * @param verified        a signed identity variant as this proxy's verifier verified it (fetched,
 *                        revalidated, or offered: then as offered, without this proxy's {@code via}),
 *                        which is handed on so that no part of the node verifies it again; null for
 *                        a gzip variant and an unsigned answer
 */
record CachedVariant(Variant variant, boolean signed, Instant created, Instant expires, Instant fetchedAt,
                   long maxAgeSeconds, long ageSeconds, long staleWhileRevalidateSeconds,
                   long staleIfErrorSeconds, Revalidation revalidation, VerifiedRepresentation verified) {
    CachedVariant {
        requireNonNull(variant, "variant");
        requireNonNull(revalidation, "revalidation");
        if (verified != null && (!signed || variant.contentEncoding() != null)) {
            throw new IllegalArgumentException("verified: only a signed identity variant is held with its verified copy");
        }
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
        requireNonNull(fetchedAt, "fetchedAt");
        if (staleWhileRevalidateSeconds < 0 || staleIfErrorSeconds < 0) {
            throw new IllegalArgumentException("stale windows: " + staleWhileRevalidateSeconds + ", "
                    + staleIfErrorSeconds + " (expected: >= 0)");
        }
        if (revalidation.required() && (staleWhileRevalidateSeconds > 0 || staleIfErrorSeconds > 0)) {
            throw new IllegalArgumentException("stale windows: " + staleWhileRevalidateSeconds + ", "
                    + staleIfErrorSeconds + " (expected: 0 with must-revalidate)");
        }
    }

    /** As the canonical constructor, with no verified copy (a gzip variant, an unsigned answer). */
    CachedVariant(Variant variant, boolean signed, Instant created, Instant expires, Instant fetchedAt,
                  long maxAgeSeconds, long ageSeconds, long staleWhileRevalidateSeconds, long staleIfErrorSeconds,
                  Revalidation revalidation) {
        this(variant, signed, created, expires, fetchedAt, maxAgeSeconds, ageSeconds, staleWhileRevalidateSeconds,
                staleIfErrorSeconds, revalidation, null);
    }

    /** A variant whose response allows serving it stale within its windows (tests). */
    CachedVariant(Variant variant, boolean signed, Instant created, Instant expires, Instant fetchedAt,
                  long maxAgeSeconds, long ageSeconds, long staleWhileRevalidateSeconds, long staleIfErrorSeconds) {
        this(variant, signed, created, expires, fetchedAt, maxAgeSeconds, ageSeconds, staleWhileRevalidateSeconds,
                staleIfErrorSeconds, Revalidation.NONE);
    }

    /** Whether this proxy, a shared cache, must revalidate it once stale ({@link #revalidation}). */
    boolean mustRevalidate() {
        return revalidation.required();
    }

    String etag() {
        return variant.etag();
    }

    boolean gzip() {
        return "gzip".equals(variant.contentEncoding());
    }
}

package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * What the proxy holds for one key: the identity variant and, when the upstream has one, the gzip
 * variant, combined into the {@link Representation} the store keeps.
 *
 * <p>The representation is valid until the identity variant's {@code expires}; the gzip variant is
 * offered only while it stays valid at least as long (otherwise everyone gets identity, which is
 * always correct). Freshness (when to revalidate) comes from the identity variant's response:
 * {@code fetchedAt + max-age - initial age} (RFC 9111 §4.2), and so do the windows after it in which a
 * stale copy may still be served (RFC 5861). An unsigned answer is served here only while fresh,
 * but what goes out carries its upstream's windows ({@link #windowsEnd}), so it goes out with the
 * directives it came with, its {@code Age} counting on. Immutable.
 *
 * @param identity the identity variant
 * @param gzip     the gzip variant, or null
 * @param base     the representation stored (without {@code age})
 */
record CachedCopy(CachedVariant identity, CachedVariant gzip, Representation base) {
    CachedCopy {
        requireNonNull(identity, "identity");
        requireNonNull(base, "base");
    }

    static CachedCopy of(CachedVariant identity, CachedVariant gzip) {
        CachedVariant gz = gzip != null && !gzip.expires().isBefore(identity.expires()) ? gzip : null;
        Representation r = new Representation(identity.variant(), gz == null ? null : gz.variant(),
                identity.maxAgeSeconds(), identity.created(), windowsEnd(identity, identity.ageSeconds()),
                identity.revalidation());
        return new CachedCopy(identity, gz, r);
    }

    /**
     * Where the windows of what goes out {@code age} seconds old end (the representation's
     * {@code expires}, which the front end counts them to from its clock). A signed copy's end at
     * its signature's expiry. An unsigned answer's end where the windows its upstream announced
     * do: its {@code max-age} and {@code stale-if-error} after the upstream's answer was
     * generated (RFC 5861 §4), a bound resting on its sources' signatures, so it is counted like
     * theirs. An answer announced without {@code stale-if-error} (one resting on no signature,
     * such as a static endpoint property, or whose sources run out with its freshness) has only
     * its freshness, which a cache counts from the {@code Age} sent: its end moves on with that
     * age, so that a cache honouring {@code Age} does not take it off twice.
     */
    private static Instant windowsEnd(CachedVariant v, long age) {
        if (v.signed()) {
            return v.expires();
        }
        Instant generated = v.fetchedAt().minusSeconds(v.ageSeconds());
        return v.staleIfErrorSeconds() > 0 ? generated.plusSeconds(v.maxAgeSeconds() + v.staleIfErrorSeconds())
                : generated.plusSeconds(age + v.maxAgeSeconds());
    }

    boolean signed() {
        return identity.signed();
    }

    Instant expires() {
        return identity.expires();
    }

    /** True while it may be served: before {@code expires}. */
    boolean usableAt(Instant now) {
        return now.isBefore(identity.expires());
    }

    /** The end of freshness; past it the copy is stale (still served while usable, and revalidated). */
    Instant freshUntil() {
        return identity.fetchedAt().plusSeconds(Math.max(0, identity.maxAgeSeconds() - identity.ageSeconds()));
    }

    boolean freshAt(Instant now) {
        return now.isBefore(freshUntil());
    }

    /**
     * True while the copy may be served at once and revalidated behind the answer: fresh, or stale
     * within the {@code stale-while-revalidate} window its response announced (RFC 5861 §3), and
     * valid. Past it a request waits for the revalidation.
     */
    boolean servableWhileRevalidatingAt(Instant now) {
        return usableAt(now) && now.isBefore(freshUntil().plusSeconds(identity.staleWhileRevalidateSeconds()));
    }

    /**
     * True while the copy may be served when the upstream fails: fresh, or stale within the
     * {@code stale-if-error} window its response announced (RFC 5861 §4), and valid.
     */
    boolean servableOnErrorAt(Instant now) {
        return usableAt(now) && now.isBefore(freshUntil().plusSeconds(identity.staleIfErrorSeconds()));
    }

    /**
     * This copy as held when it is an unsigned answer that arrived stale ({@code Age} at or past
     * its {@code max-age}: a parent proxy serving an answer stale in an outage, a cache in
     * between): usable for {@code minInterval} from {@code now} all the same, as a signed copy the
     * upstream confirmed moments ago is served, so that the requests meanwhile do not each ask the
     * upstream again. Null when it is not one: signed, fresh, said {@code must-revalidate}, or
     * with no {@code minInterval}. What goes out is unchanged ({@link #windowsEnd} does not read
     * the validity set here).
     */
    CachedCopy arrivedStale(Instant now, Duration minInterval) {
        if (signed() || freshAt(now) || identity.mustRevalidate() || minInterval.isZero() || minInterval.isNegative()) {
            return null;
        }
        Instant until = now.plus(minInterval);
        return of(until(identity, until), gzip == null ? null : until(gzip, until));
    }

    private static CachedVariant until(CachedVariant v, Instant until) {
        return new CachedVariant(v.variant(), v.signed(), v.created(), until, v.fetchedAt(), v.maxAgeSeconds(),
                v.ageSeconds(), v.staleWhileRevalidateSeconds(), v.staleIfErrorSeconds(), v.revalidation());
    }

    /** The current age (RFC 9111 §4.2.3): the corrected initial age plus the time held. */
    long ageAt(Instant now) {
        return identity.ageSeconds() + Math.max(0, Duration.between(identity.fetchedAt(), now).getSeconds());
    }

    /**
     * When the copy was generated or last validated upstream, as this proxy reckons it: the
     * response time less its corrected initial age, where {@link #ageAt} counts from.
     */
    Instant validatedAt() {
        return identity.fetchedAt().minusSeconds(identity.ageSeconds());
    }

    /** The held variant with entity tag {@code etag}, or null. */
    CachedVariant byEtag(String etag) {
        if (etag == null) {
            return null;
        }
        if (etag.equals(identity.etag())) {
            return identity;
        }
        return gzip != null && etag.equals(gzip.etag()) ? gzip : null;
    }

    /**
     * The representation to write now: the stored one with an {@code age} field (RFC 9111 §5.1),
     * its windows ending as {@link #windowsEnd} says for that age.
     */
    Representation withAge(long age) {
        Representation b = base;
        return new Representation(b.identity().withAge(age), b.gzip() == null ? null : b.gzip().withAge(age),
                b.maxAgeSeconds(), b.created(), windowsEnd(identity, age), b.revalidation());
    }

    /** True when {@code other} has this copy's body (by the identity variant's digest): a renewal, not a new version. */
    boolean sameBody(CachedCopy other) {
        return base.identity().header("content-digest").equals(other.base.identity().header("content-digest"));
    }
}

package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * Everything the front end needs to answer a request for one resource: the identity variant,
 * optionally a gzip variant prepared once, and the validity of the signature(s).
 *
 * @param identity     the uncompressed variant
 * @param gzip         the gzip variant, or null when there is none (small bodies)
 * @param maxAgeSeconds the freshness lifetime advertised in {@code Cache-Control: max-age}
 * @param created      when the origin signed it (for a computed answer: when the information it came
 *                     from was generated or last validated, which its {@code Age} counts from)
 * @param expires      when the signature runs out; never serve after this (for an unsigned answer:
 *                     where its windows end, see {@link #maxAgeAt})
 * @param revalidation whether caches must revalidate it once stale, as the response it came in said
 *                     ({@link Revalidation}); not signed, and never making a copy fresher: it only
 *                     takes the stale windows away
 */
public record Representation(Variant identity, Variant gzip, long maxAgeSeconds, Instant created, Instant expires,
                             Revalidation revalidation) {
    public Representation {
        requireNonNull(identity, "identity");
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
        requireNonNull(revalidation, "revalidation");
        if (maxAgeSeconds < 0) {
            throw new IllegalArgumentException("maxAgeSeconds: " + maxAgeSeconds + " (expected: >= 0)");
        }
        if (gzip != null && !"gzip".equals(gzip.contentEncoding())) {
            throw new IllegalArgumentException("gzip: content-encoding " + gzip.contentEncoding() + " (expected: gzip)");
        }
    }

    /** One that caches may serve stale within the windows it announces ({@link Revalidation#NONE}). */
    public Representation(Variant identity, Variant gzip, long maxAgeSeconds, Instant created, Instant expires) {
        this(identity, gzip, maxAgeSeconds, created, expires, Revalidation.NONE);
    }

    /**
     * What a cache must do with a copy past its freshness before serving it, as the response it
     * came in said (RFC 9111 §4.2.4: a cache must not serve a stale response such a directive
     * forbids). A node passes it on as it came ({@link #directive}) and announces no stale window
     * beside it: nginx knows neither directive and would apply the windows, and a stricter
     * directive than the origin's costs only a revalidation, while a lost one let caches
     * downstream serve what the origin said must be revalidated.
     */
    public enum Revalidation {
        /** Stale use within the announced windows is allowed. */
        NONE(null),
        /**
         * {@code proxy-revalidate} (§5.2.2.8), which {@code s-maxage} implies for a shared cache
         * (§5.2.2.10): shared caches, which every node is, revalidate first.
         */
        SHARED_CACHES("proxy-revalidate"),
        /** {@code must-revalidate} (§5.2.2.2): every cache revalidates first. */
        EVERY_CACHE("must-revalidate");

        private final String directive;

        Revalidation(String directive) {
            this.directive = directive;
        }

        /** The {@code Cache-Control} directive that says it, or null for {@link #NONE}. */
        public String directive() {
            return directive;
        }

        /** Whether a shared cache (any node) must not serve a stale copy without revalidating it. */
        public boolean required() {
            return this != NONE;
        }

        /** The stricter of the two: what an answer computed from copies of both must say. */
        public Revalidation strictest(Revalidation other) {
            return other.ordinal() > ordinal() ? other : this;
        }
    }

    /** This representation with {@code r} in place of its {@link #revalidation}. */
    public Representation withRevalidation(Revalidation r) {
        return r == revalidation ? this : new Representation(identity, gzip, maxAgeSeconds, created, expires, r);
    }

    /** The variant to send for a request that accepts gzip or not. */
    public Variant select(boolean acceptsGzip) {
        return acceptsGzip && gzip != null ? gzip : identity;
    }

    /**
     * The freshness lifetime to announce at {@code now} (RFC 9111 §5.2.2.1): {@code maxAgeSeconds},
     * cut so that no cache keeps it fresh past {@code expires} (with a second to spare); never
     * negative. The cut counts from now, whatever {@code Age} is sent along ({@link #ageSeconds()}:
     * a copy held by a proxy, an answer computed there): a cache that honours the {@code Age} then
     * ends its windows that much early, and one that ignores it (nginx 1.22) ends them at
     * {@code expires}, never after. For a document {@code expires} is its signature's; for a
     * computed answer, the earliest of its sources' (see {@code ComputedAnswer}); for an unsigned
     * answer a pull proxy passes on, where the windows its upstream announced end, or, announced
     * without {@code stale-if-error}, its freshness counted from the {@code Age} sent (see the
     * pull feed's {@code CachedCopy}).
     */
    public long maxAgeAt(Instant now) {
        return windowsAt(now).maxAge();
    }

    /**
     * The {@code stale-while-revalidate} window to announce at {@code now} (RFC 5861 §3): one more
     * max-age at most, the time a background revalidation needs with plenty to spare, and never
     * past {@code expires}.
     */
    public long staleWhileRevalidateAt(Instant now) {
        return windowsAt(now).staleWhileRevalidate();
    }

    /**
     * The {@code stale-if-error} window to announce at {@code now} (RFC 5861 §4): what is left
     * until {@code expires} after the max-age, so a copy served stale in an outage is still valid
     * (cut, like the max-age, as {@link #maxAgeAt} says).
     */
    public long staleIfErrorAt(Instant now) {
        return windowsAt(now).staleIfError();
    }

    /** The three windows a {@code Cache-Control} announces at one instant, in seconds. */
    public record Windows(long maxAge, long staleWhileRevalidate, long staleIfError) {
    }

    /**
     * {@link #maxAgeAt}, {@link #staleWhileRevalidateAt} and {@link #staleIfErrorAt} at
     * {@code now}; no stale window when it must be revalidated ({@link #revalidation}).
     */
    public Windows windowsAt(Instant now) {
        long left = secondsLeft(now);
        long maxAge = Math.max(0, Math.min(maxAgeSeconds, left));
        if (revalidation.required()) {
            return new Windows(maxAge, 0, 0);
        }
        long staleIfError = Math.max(0, left - maxAge);
        return new Windows(maxAge, Math.min(maxAgeSeconds, staleIfError), staleIfError);
    }

    /**
     * The {@code Age} the identity variant is sent with (a copy a proxy holds, an answer computed
     * there), in seconds, or 0.
     */
    public long ageSeconds() {
        String age = identity.header("age").orElse(null);
        if (age == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(age.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Whole seconds until {@code expires}, one short: caches count in whole seconds from the time a
     * response arrived, which they may take rounded down (nginx does), so a lifetime cut to the
     * exact remainder could outlast the signature by up to a second.
     */
    private long secondsLeft(Instant now) {
        return Duration.between(now, expires).getSeconds() - 1;
    }

    /** Bytes held in memory, for the store's byte bound. */
    public long weight() {
        return identity.weight() + (gzip == null ? 0 : gzip.weight());
    }
}

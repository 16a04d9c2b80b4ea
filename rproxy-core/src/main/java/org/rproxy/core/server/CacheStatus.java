package org.rproxy.core.server;

import java.util.Locale;

/**
 * Where the answer to one request came from, as the access log shows it ({@code cache=...}). The
 * service that answers knows; it says so in {@link Reply.Ok}, and the front end passes it on to
 * the {@link RequestObserver}.
 */
public enum CacheStatus {
    /** A held copy within its {@code max-age}. */
    HIT,
    /** A held copy past its {@code max-age}: within {@code stale-while-revalidate}, or {@code stale-if-error}. */
    STALE,
    /** Nothing usable was held: the request waited for the upstream (its own fetch or one under way). */
    MISS,
    /** A query answer computed on this node from the signed maps it holds. */
    LOCAL,
    /** A document this node signed itself: the origin serving its catalog. */
    ORIGIN,
    /** Not a cacheable answer: an error, a {@code 204}, an update stream, the admin listener. */
    NONE;

    /** The lower-case name, {@code "-"} for {@link #NONE}. */
    public String label() {
        return this == NONE ? "-" : name().toLowerCase(Locale.ROOT);
    }
}

package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * What the pull proxy holds, as an {@link UpstreamOutage} judges it: whether clients are served
 * while the upstream is away (a restart the copies held bridge is told at INFO, an outage that
 * hurts clients is warned of at once), and how many documents are held, for its lines. Reads the
 * {@link CachedCopies}; thread-safe as they are.
 */
final class OutageCopies {
    private final CachedCopies copies;

    OutageCopies(CachedCopies copies) {
        this.copies = requireNonNull(copies, "copies");
    }

    /**
     * Whether what the proxy holds bridges an outage begun at {@code now} with an attempt for
     * {@code key} for {@code grace}: {@code key} has a copy to serve, some signed copy can be
     * served, and every signed copy that can be served now still can at the grace's end.
     */
    boolean bridge(CacheKey key, Instant now, Duration grace) {
        if (!servable(key, now)) {
            return false;
        }
        Instant end = now.plus(grace);
        boolean any = false;
        for (Entry e : copies.all()) {
            CachedCopy h = e.held();
            if (h != null && h.signed() && h.servableOnErrorAt(now)) {
                if (!h.servableOnErrorAt(end)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    /**
     * Whether a copy of {@code key} can be served at {@code now} while the upstream fails, as
     * {@link Replies} serves one: a signed copy within its {@code stale-if-error} window, an
     * unsigned answer while usable or, past that, while the signed documents it names are valid.
     */
    boolean servable(CacheKey key, Instant now) {
        Entry e = copies.get(key);
        CachedCopy h = e == null ? null : e.held();
        if (h == null) {
            return false;
        }
        return h.signed() ? h.servableOnErrorAt(now) : h.usableAt(now)
                || !h.identity().mustRevalidate() && DerivedFrom.sourcesValid(h, copies::get, now);
    }

    /**
     * The documents a copy is held of. Entries holding none (the directory a proxy started before
     * its upstream is still fetching) are not counted: a proxy that held nothing said "1 documents
     * held wait on it, served while valid".
     */
    long count() {
        return copies.all().stream().filter(e -> e.held() != null).count();
    }
}

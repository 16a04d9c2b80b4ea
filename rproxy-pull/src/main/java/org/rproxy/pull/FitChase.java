package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the upstream again, past any HTTP cache in between, for a held map that does not fit the
 * maps held beside it, and only while it does not. After a new version of one map this proxy
 * revalidates the others at once ({@link Refresher#revalidateSignedBefore}), but an nginx or a
 * Varnish between it and its upstream answers that revalidation from its own copy, fresh for up
 * to its {@code max-age} (60 s by default) after the cache fetched it, and the cache fetched the
 * two maps at different times: the proxy held a cost map naming the old network map beside the
 * new one for that long, and every client following its update stream left it after its read
 * timeout (30 s). Which maps are behind the answer engine says after each reading of the held
 * maps ({@code AnswerEngine#behind}): a cost map whose {@code dependent-vtags} names an older
 * network map than the one held, or a network map older than the one a held cost map names.
 *
 * <p>Each map behind is asked for {@link #FIRST_PAUSE} after it was found behind (a new version
 * of it often comes meanwhile: the other map's revalidation, or a push feed's next event), then
 * again after pauses that double, at most {@link #ATTEMPTS} times in one spell; the spell ends as
 * soon as a reading finds the maps fit. Each request carries {@code Cache-Control: no-cache} and
 * {@value #HEADER}, which the shipped nginx and Varnish configurations take as a request to fetch
 * from the node rather than answer from their copy. Maps that fit cost nothing. A map the
 * upstream keeps sending behind (its origin published maps that do not fit) is asked for
 * {@link #ATTEMPTS} times, then left to the ordinary revalidations until the maps fit again.
 *
 * <p>{@link #behind} may be called on any thread; attempts start on the refresher's scheduler.
 */
final class FitChase {
    private static final Logger LOG = LoggerFactory.getLogger(FitChase.class);

    /** The request header that asks the caches in between for the node's copy ({@code conf/nginx}, {@code conf/varnish}). */
    static final String HEADER = "rproxy-refetch";
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    /**
     * Asked after 1, 3, 7, ... 127 s: past a default max-age and its stale window (120 s), when a
     * cache in between honours neither header and hands out its copy until it expires.
     */
    static final int ATTEMPTS = 7;

    private final CachedCopies copies;
    private final Attempts attempts;
    private final Refresher refresher;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    /** The maps behind at the last reading. */
    private volatile Set<String> behind = Set.of();
    /** Attempts made in the current spell, per map behind. */
    private final Map<String, Integer> spells = new ConcurrentHashMap<>();

    FitChase(CachedCopies copies, Attempts attempts, Refresher refresher, Clock clock,
             ScheduledExecutorService scheduler) {
        this.copies = requireNonNull(copies, "copies");
        this.attempts = requireNonNull(attempts, "attempts");
        this.refresher = requireNonNull(refresher, "refresher");
        this.clock = requireNonNull(clock, "clock");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /**
     * The targets of the held maps that are behind, as a reading of them all found: a spell starts
     * for each not behind before, and ends for each no longer behind. Does not block.
     */
    void behind(Set<String> targets) {
        behind = Set.copyOf(targets);
        spells.keySet().retainAll(behind);
        for (String target : behind) {
            if (spells.putIfAbsent(target, 0) == null) {
                later(target, FIRST_PAUSE);
            }
        }
    }

    /** True while a spell for {@code target} is under way (tests). */
    boolean chasing(String target) {
        return spells.containsKey(target);
    }

    private void attempt(String target) {
        try {
            Integer made = spells.get(target);
            Entry e = copies.get(CacheKey.get(target));
            if (made == null || !behind.contains(target) || e == null) {
                spells.remove(target);
                return;
            }
            if (made >= ATTEMPTS) {
                LOG.warn("{} still does not fit the maps held beside it after {} requests past the caches; left to"
                        + " the ordinary revalidations", target, made);
                return; // the spell stays, so the next reading does not start another
            }
            spells.replace(target, made + 1);
            Duration pause = FIRST_PAUSE.multipliedBy(1L << Math.min(made + 1, 20));
            if (refresher.recentlyFailed(e, clock.instant())) {
                later(target, pause); // the upstream failed lately: its retry pause first
                return;
            }
            attempts.fetch(e.key, UpstreamCall.GET_PAST_CACHES, "refit")
                    .whenComplete((result, failure) -> later(target, pause));
        } catch (RuntimeException ex) {
            LOG.error("asking again for {}, which does not fit the maps held, failed", target, ex);
        }
    }

    private void later(String target, Duration pause) {
        try {
            scheduler.schedule(() -> attempt(target), pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            spells.remove(target); // the proxy is closing
        }
    }
}

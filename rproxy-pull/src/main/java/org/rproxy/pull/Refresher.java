package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what the pull feed holds current, and decides when the upstream may be asked: every
 * {@code tick} it revalidates hot entries {@code ahead} of going stale, retries entries whose copy
 * expired, and prefetched targets holding none, after each failure's pause, at most {@code retry}
 * ({@link RetryPause}: jittered, so a fleet does not ask in step; the proxy recovers by itself
 * within {@code retry} when the upstream returns), leaves a copy the store evicted to be fetched by the next
 * request for it, forgets what nobody asked for in {@code forgetAfter}, fetches the targets it is
 * told to keep fresh (one never held whose fetch failed, again after its pause), and forgets a
 * copy the upstream answered 404 or 410 for once the signed directory no longer lists it. The
 * answers to POST queries are neither revalidated ahead nor retried: the entry keeps no query
 * body ({@link UpstreamCall#withoutBody}), so the requests for them, which bring it, revalidate
 * them, and one that expired is forgotten. {@link #due} and {@link #recentlyFailed} are the same
 * rules for requests. A revalidation asked for before its entry was due ({@link #revalidateNow}: a
 * push upstream's {@code stopped}) is made by the first pass once it is.
 *
 * <p>Passes run on the scheduler's thread; time comes from the injected clock.
 */
final class Refresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);

    private final PullFeed.Settings settings;
    private final CachedCopies copies;
    private final Attempts attempts;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final List<Supplier<? extends Collection<String>>> wanted = new CopyOnWriteArrayList<>();
    private volatile ScheduledFuture<?> ticking;
    private boolean closed;

    Refresher(PullFeed.Settings settings, CachedCopies copies, Attempts attempts, Clock clock,
              ScheduledExecutorService scheduler) {
        this.settings = requireNonNull(settings, "settings");
        this.copies = requireNonNull(copies, "copies");
        this.attempts = requireNonNull(attempts, "attempts");
        this.clock = requireNonNull(clock, "clock");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /** Starts the passes; the first (which fetches the prefetch targets) runs at once. */
    synchronized void start() {
        if (closed) {
            return; // closed before the directory's first fetch ended
        }
        long period = settings.tick().toMillis();
        try {
            ticking = scheduler.scheduleWithFixedDelay(this::tickSafely, 0, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the proxy is stopping: nothing is refreshed any more
        }
    }

    /** Adds targets that count as asked for at every pass (see {@link PullFeed#keepFresh}). */
    void keepFresh(Supplier<? extends Collection<String>> targets) {
        wanted.add(requireNonNull(targets, "targets"));
    }

    /** One pass; returns the attempts it started. */
    List<CompletableFuture<FetchResult>> tick() {
        for (Supplier<? extends Collection<String>> w : wanted) {
            for (String target : w.get()) {
                if (attempts.failedLately(CacheKey.get(target)) == null) { // as for an entry: once per retry
                    attempts.track(target);
                }
                attempts.touch(target);
            }
        }
        Instant now = clock.instant();
        List<CompletableFuture<FetchResult>> started = new ArrayList<>();
        for (Entry e : copies.all()) {
            CompletableFuture<FetchResult> attempt = pass(e, now);
            if (attempt != null) {
                started.add(attempt);
            }
        }
        return started;
    }

    /**
     * A pass's look at {@code e}, as read from the table: the store may have let its copy go
     * since (an eviction on another thread), and the entry with it, and a newer copy may be held
     * before the pass acts, so what it forgets is the copy it read ({@link CachedCopies#forget}:
     * compare-and-remove). Returns the attempt started, or null.
     */
    CompletableFuture<FetchResult> pass(Entry e, Instant now) {
        CachedCopy h = e.held();
        if (e.revalidationOwed() && due(e, now) && !attempts.running(e.key)) {
            e.revalidationOwed(false);
            if (h != null && h.signed()) {
                return revalidate(e, now);
            }
        }
        boolean usable = h != null && h.usableAt(now);
        if (!usable) {
            if (h != null && !h.signed()) {
                if (idle(e, now) || !DerivedFrom.sourcesValid(h, copies::get, now)) {
                    copies.forget(e, h);
                }
            } else if (!e.pinned && (idle(e, now) || !e.key.isGet())) {
                // a query's answer that expired goes: it is asked for again with a request's body
                copies.forget(e, h);
            } else if ((h != null || e.pinned) && due(e, now)) {
                // an expired copy, or a prefetched target holding none. An entry holding nothing
                // that is not prefetched is not fetched: the store let its copy go (evicted to stay
                // under max-bytes, after this pass read the entry) and its listener takes the entry
                // out; the next request for it fetches it
                return attempts.fetch(e.key, e.call, "recover");
            }
        } else if (e.disputed() && !copies.vouchedFor(e, h, now)) {
            attempts.hasNone(e, h, e.failureStatus(), e.disputedBy(), now); // a signed directory without it has come
        } else if (e.key.isGet() && h.signed() && hot(e, h) && !now.isBefore(h.freshUntil().minus(ahead(h)))
                && due(e, now)) {
            // a query's answer is revalidated by the requests for it, which bring its body
            return attempts.fetch(e.key, e.call, "refresh");
        }
        return null;
    }

    /**
     * After a new version of {@code changed} (signed at {@code created}) was held: revalidates now,
     * on the scheduler's thread, every other hot signed copy for a GET signed before it, rather
     * than each at its own time ahead of {@code max-age}. The origin signs the documents of one
     * version together, but this proxy revalidates each on a schedule of its own, from when it was
     * first asked for, so a network map and the cost map on it took a new version up to a
     * {@code max-age} apart; meanwhile its streams and its answers gave maps that do not fit,
     * and every client following such a stream left it at once for another source, the origin
     * last. A copy asked for within {@code min-interval}, or after a failure, waits its turn.
     */
    void revalidateSignedBefore(Entry changed, Instant created) {
        try {
            scheduler.execute(() -> revalidateBefore(changed, created));
        } catch (RejectedExecutionException closing) {
            // the proxy is closing: nothing is revalidated any more
        }
    }

    private void revalidateBefore(Entry changed, Instant created) {
        try {
            Instant now = clock.instant();
            for (Entry e : copies.all()) {
                CachedCopy h = e.held();
                if (e != changed && e.key.isGet() && h != null && h.signed() && h.usableAt(now) && hot(e, h)
                        && h.identity().created().isBefore(created) && due(e, now)) {
                    attempts.fetch(e.key, e.call, "refresh");
                }
            }
        } catch (RuntimeException ex) {
            LOG.error("revalidating after a new version failed", ex);
        }
    }

    /**
     * Revalidates {@code e}'s signed copy, its directory first ({@link PullFeed#revalidateNow}): now
     * when {@code e} is due, else owed, made by the first pass once it is. So neither is asked
     * within {@code min-interval} of its last attempt (words said again and again cost the
     * upstream one revalidation per {@code min-interval}), and a word heard within that, or in the
     * pause after a failed attempt, is not lost: it was dropped, and nothing asked again, so a map
     * deleted at the origin was served here until its {@code max-age}. Nor is one heard while an
     * attempt for {@code e} is under way: that attempt was asked before the word, its answer maybe
     * before the deletion the word tells of, and joining it left the map held; the revalidation is
     * owed, made once that attempt has ended. Any thread; does not block.
     */
    void revalidateNow(Entry e, Instant now) {
        if (due(e, now) && !attempts.running(e.key)) {
            revalidate(e, now);
        } else {
            e.revalidationOwed(true);
        }
    }

    /**
     * Asks for the directory, when due, then for {@code e} however that ended. The copy's attempt
     * counts from now, not from the directory's answer: a word meanwhile found it due, and asked
     * for it at once, without the directory first. Returns the copy's attempt.
     */
    private CompletableFuture<FetchResult> revalidate(Entry e, Instant now) {
        e.attempted(now);
        Entry d = copies.get(CacheKey.get(UpstreamParts.DIRECTORY));
        CompletableFuture<?> first = d == null || d == e || !due(d, now)
                ? CompletableFuture.completedFuture(null) : attempts.fetch(d.key, d.call, "revalidate");
        return first.handle((r, x) -> null).thenCompose(v -> attempts.fetch(e.key, e.call, "revalidate"));
    }

    /** True when {@code e} may be asked for again: not within {@code min-interval} of its last attempt, nor of a failure. */
    boolean due(Entry e, Instant now) {
        Instant last = e.lastAttempt();
        return (last == null || !now.isBefore(last.plus(settings.minInterval()))) && !recentlyFailed(e, now);
    }

    /** True within the pause after {@code e}'s last failed attempt (at most {@code retry}: {@link RetryPause}). */
    boolean recentlyFailed(Entry e, Instant now) {
        Instant until = e.retryAt();
        return until != null && now.isBefore(until);
    }

    private boolean hot(Entry e, CachedCopy h) {
        return e.pinned || e.lastAccess().isAfter(h.identity().fetchedAt());
    }

    /**
     * How long before going stale a hot entry is revalidated: {@code refresh.ahead}, but at most a
     * fifth of its max-age. A revalidation takes milliseconds and a copy found a little stale is
     * still served while it is revalidated, so the window only needs to cover a tick or two; a
     * wider one (half the max-age, say) would make each proxy ask twice per refresh period.
     */
    private Duration ahead(CachedCopy h) {
        Duration fifth = Duration.ofSeconds(h.identity().maxAgeSeconds()).dividedBy(5);
        return fifth.compareTo(settings.ahead()) < 0 ? fifth : settings.ahead();
    }

    private boolean idle(Entry e, Instant now) {
        return e.lastAccess().plus(settings.forgetAfter()).isBefore(now);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("refresher pass failed", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        ScheduledFuture<?> t = ticking;
        if (t != null) {
            t.cancel(false);
        }
    }
}

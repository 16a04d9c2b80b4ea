package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;

/**
 * The pull feed: answers from the store, fetches on a miss, and keeps what is
 * held current.
 *
 * <ul>
 *   <li>A usable copy (before its signature's {@code expires}) is a hit, answered at once while
 *       fresh, and past {@code max-age} within the {@code stale-while-revalidate} window its
 *       response announced, revalidated in the background. Past that window the request waits
 *       for the revalidation; if the upstream fails, the copy is served within its
 *       {@code stale-if-error} window.</li>
 *   <li>Concurrent misses on one key share one upstream attempt (the in-flight map).</li>
 *   <li>A refresher, every {@code tick}, revalidates hot entries {@code ahead} of going stale,
 *       and retries entries that lost their valid copy every {@code retry}, so the proxy recovers
 *       by itself when the upstream returns.</li>
 *   <li>A failed or refused attempt never touches the held copy. With no usable copy, the client
 *       gets 504 (or 502 when the upstream's answer did not verify) with an ALTO error.</li>
 * </ul>
 *
 * <p>This class serves; the jobs behind it are apart: the table of cached copies
 * ({@link CachedCopies}), the upstream attempts ({@link Attempts}) and the refresher
 * ({@link Refresher}). {@link #serve} runs on event loops and never blocks: a hit is two map
 * lookups and a prepared representation. Fetches run on the upstream client's threads and the
 * worker executor; the refresher on the scheduler. Time comes from the injected clock.
 */
final class PullFeed implements AutoCloseable {
    /**
     * @param tick        refresher period (real time)
     * @param ahead       revalidate hot entries this long before they go stale (at most a fifth of their max-age)
     * @param retry       pause after a failed attempt
     * @param minInterval least time between two attempts for one entry
     * @param forgetAfter drop an entry that cannot be served and was not asked for in this long
     * @param prefetch    targets fetched at start and kept fresh regardless of demand
     */
    record Settings(Duration tick, Duration ahead, Duration retry, Duration minInterval, Duration forgetAfter,
                    List<String> prefetch) {
        Settings {
            prefetch = List.copyOf(prefetch);
        }

        /** A proxy's {@code refresh} section, with the targets it prefetches. */
        static Settings of(RefreshConfig refresh, List<String> prefetch) {
            return new Settings(refresh.tick(), refresh.ahead(), refresh.retry(), refresh.minInterval(),
                    refresh.forgetAfter(), prefetch);
        }
    }

    private final CachedCopies copies;
    private final Attempts attempts;
    private final Refresher refresher;
    private final PullMetrics metrics;
    private final Clock clock;

    PullFeed(Settings settings, RepresentationStore<CacheKey> store, EntryFetch fetcher, PullMetrics metrics,
             Clock clock, ScheduledExecutorService scheduler) {
        requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.copies = new CachedCopies(store, metrics);
        this.attempts = new Attempts(copies, fetcher, metrics, clock);
        this.refresher = new Refresher(settings, copies, attempts, clock, scheduler);
        Instant now = clock.instant();
        for (String target : settings.prefetch()) {
            copies.pin(CacheKey.get(target), now);
        }
    }

    /** Starts the refresher; its first pass (which fetches the prefetch targets) runs at once. */
    void start() {
        refresher.start();
    }

    /** The answer for {@code key}: from the store when usable, else after one (shared) upstream attempt. */
    CompletionStage<Reply> serve(CacheKey key, UpstreamCall call) {
        Instant now = clock.instant();
        Entry e = copies.get(key);
        CachedCopy h = e == null ? null : e.held();
        if (h != null && h.usableAt(now) && copies.stored(key)) {
            e.touch(now);
            if (h.servableWhileRevalidatingAt(now)) {
                metrics.hit();
                if (!h.freshAt(now)) {
                    metrics.staleServed();
                    if (h.signed() && refresher.due(e, now)) {
                        attempts.fetch(key, e.call, "revalidate");
                    }
                }
                return CompletableFuture.completedFuture(Reply.ok(e.stamped(h, now), held(h, now)));
            }
            return revalidateFirst(e, h, now);
        }
        metrics.miss();
        if (e != null) {
            e.touch(now);
            // a resource the upstream has none of is asked for as any 404 is (the service remembers those)
            if (refresher.recentlyFailed(e, now) && !e.gone() && !attempts.running(key)) {
                Reply stale = staleDerived(e, now);
                return CompletableFuture.completedFuture(stale != null ? stale
                        : noValidCopy(key, e.failureStatus(), e.failure()));
            }
        }
        return attempts.fetch(key, e != null ? e.call : call, "miss").thenApply(r -> reply(key, r));
    }

    /**
     * A signed copy idle past its {@code stale-while-revalidate} window: the request waits for
     * the revalidation (shared with any under way) instead of getting an old copy with a large
     * {@code Age}, which would also make a downstream cache treat it as uncacheable. When the
     * upstream was asked moments ago, the copy it confirmed is served (it is what the upstream
     * has); when it failed, the copy is served within its {@code stale-if-error} window, else 504.
     */
    private CompletionStage<Reply> revalidateFirst(Entry e, CachedCopy h, Instant now) {
        metrics.miss();
        if (attempts.running(e.key) || refresher.due(e, now)) {
            return attempts.fetch(e.key, e.call, "revalidate").thenApply(r -> reply(e.key, r));
        }
        if (!refresher.recentlyFailed(e, now)) {
            return CompletableFuture.completedFuture(Reply.ok(e.stamped(h, now), held(h, now)));
        }
        return CompletableFuture.completedFuture(onError(e, now, e.failureStatus(), e.failure()));
    }

    /** The held copy within its {@code stale-if-error} window, else the error. */
    private Reply onError(Entry e, Instant now, int status, String reason) {
        CachedCopy h = e.held();
        if (h != null && (h.signed() ? h.servableOnErrorAt(now) : h.usableAt(now))) {
            if (!h.freshAt(now)) {
                metrics.staleServed();
            }
            return Reply.ok(e.stamped(h, now), held(h, now));
        }
        Reply stale = staleDerived(e, now);
        return stale != null ? stale : noValidCopy(e.key, status, reason);
    }

    /** See {@link CachedCopies#offer}. */
    boolean offer(String target, Representation r, String viaEntry) {
        return copies.offer(target, r, viaEntry, clock.instant());
    }

    /**
     * The signed copy held for a GET of {@code target} and usable now (as stored, without
     * {@code age}), or null. For computing answers from held maps; a lookup.
     */
    Representation heldSigned(String target) {
        return copies.heldSigned(target, clock.instant());
    }

    /**
     * True when the upstream answered, at the last attempt for a GET of {@code target} (a
     * prefetched one), that it has no such resource (404, 410). A lookup.
     */
    boolean gone(String target) {
        Entry e = copies.get(CacheKey.get(target));
        return e != null && e.gone();
    }

    /** See {@link Attempts#touch}. */
    void touch(String target) {
        attempts.touch(target);
    }

    /** See {@link CachedCopies#heldSignedTargets}. */
    Set<String> heldSignedTargets() {
        return copies.heldSignedTargets();
    }

    /** See {@link CachedCopies#addChangeListener}. */
    void addChangeListener(BiConsumer<String, Representation> listener) {
        copies.addChangeListener(listener);
    }

    /** See {@link CachedCopies#addGoneListener}. */
    void addGoneListener(Consumer<String> listener) {
        copies.addGoneListener(listener);
    }

    private Reply reply(CacheKey key, FetchResult r) {
        Instant now = clock.instant();
        if (r instanceof FetchResult.Stored s) {
            Entry e = copies.get(key);
            CachedCopy h = s.held();
            if (!h.signed() || h.usableAt(now)) {
                return Reply.ok(e != null && e.held() == h ? e.stamped(h, now) : h.withAge(h.ageAt(now)), CacheStatus.MISS);
            }
            // its signature expired while the attempt ran (a held identity kept beside a new gzip
            // variant, the second request slow): not held, and not served either
            String why = "the copy fetched expired before it could be served";
            return e == null ? noValidCopy(key, 504, why) : onError(e, now, 504, why);
        }
        if (r instanceof FetchResult.Answer a) {
            Entry e = copies.get(key);
            if (e != null && e.disputed()) {
                return onError(e, now, a.error().httpStatus(), e.failure()); // a signed copy outlives the upstream's 404
            }
            return new Reply.Error(a.error(), key.dialect(), a.allow());
        }
        FetchResult.Failed f = (FetchResult.Failed) r;
        Entry e = copies.get(key);
        return e == null ? noValidCopy(key, f.status(), f.reason()) : onError(e, now, f.status(), f.reason());
    }

    /**
     * An unsigned computed answer past its max-age, served when the upstream cannot be reached
     * while every signed document it names in {@code Alto-Derived-From} is held here, valid and
     * of the named version: the answer still follows from maps a client could verify, so an
     * origin outage costs no error. Null when that does not hold.
     */
    private Reply staleDerived(Entry e, Instant now) {
        CachedCopy h = e.held();
        if (h == null || h.signed() || !DerivedFrom.sourcesValid(h, copies::get, now)) {
            return null;
        }
        metrics.staleServed();
        return Reply.ok(e.stamped(h, now), CacheStatus.STALE);
    }

    /** A held copy served: a hit within its {@code max-age}, else stale. */
    private static CacheStatus held(CachedCopy h, Instant now) {
        return h.freshAt(now) ? CacheStatus.HIT : CacheStatus.STALE;
    }

    private Reply noValidCopy(CacheKey key, int status, String reason) {
        return Reply.error(AltoError.serverCondition("no valid copy of " + key.target() + " (" + reason + ")",
                status == 0 ? 504 : status), key.dialect());
    }

    /** See {@link Attempts#track}. */
    CompletableFuture<FetchResult> track(String target) {
        return attempts.track(target);
    }

    /** True while an upstream attempt for a GET of {@code target} is under way. A lookup. */
    boolean fetching(String target) {
        return attempts.running(CacheKey.get(target));
    }

    /**
     * Adds targets that count as asked for at every refresher pass, whether or not a request
     * names them: each is fetched when not tracked yet and touched, so it is revalidated ahead of
     * going stale and never forgotten while {@code targets} lists it (the documents an update
     * stream follows). {@code targets} is called on the refresher thread and must not block.
     */
    void keepFresh(Supplier<? extends Collection<String>> targets) {
        refresher.keepFresh(targets);
    }

    /** One refresher pass; returns the attempts it started. */
    List<CompletableFuture<FetchResult>> tick() {
        return refresher.tick();
    }

    /** Runs a refresher pass now; completes when every attempt it started has ended. */
    CompletableFuture<Void> refreshNow() {
        return CompletableFuture.allOf(tick().toArray(new CompletableFuture<?>[0]));
    }

    /** Null when every resource the proxy tracks holds a valid copy, else why not. */
    String notReadyBecause() {
        return copies.notReadyBecause(clock.instant());
    }

    /** Completes when every upstream attempt under way now has ended (tests; shutdown). */
    CompletableFuture<Void> quiet() {
        return attempts.quiet();
    }

    /** The entry of {@code key}, for tests and metrics. */
    Entry entry(CacheKey key) {
        return copies.get(key);
    }

    @Override
    public void close() {
        refresher.close();
    }
}

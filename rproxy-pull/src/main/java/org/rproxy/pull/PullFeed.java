package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.StoreListener;
import org.rproxy.core.store.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>{@link #serve} runs on event loops and never blocks: a hit is two map lookups and a prepared
 * representation. Fetches run on the upstream client's threads and the worker executor; the
 * refresher on the scheduler. Time comes from the injected clock.
 */
final class PullFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PullFeed.class);

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
    }

    private final Settings settings;
    private final RepresentationStore<CacheKey> store;
    private final EntryFetch fetcher;
    private final PullMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentHashMap<CacheKey, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<CacheKey, CompletableFuture<FetchResult>> inFlight = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, Representation>> listeners = new CopyOnWriteArrayList<>();
    private final List<Supplier<? extends Collection<String>>> wanted = new CopyOnWriteArrayList<>();
    private volatile ScheduledFuture<?> ticking;

    PullFeed(Settings settings, RepresentationStore<CacheKey> store, EntryFetch fetcher, PullMetrics metrics,
             Clock clock, ScheduledExecutorService scheduler) {
        this.settings = requireNonNull(settings, "settings");
        this.store = requireNonNull(store, "store");
        this.fetcher = requireNonNull(fetcher, "fetcher");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        Instant now = clock.instant();
        for (String target : settings.prefetch()) {
            CacheKey key = CacheKey.get(target);
            entries.put(key, new Entry(key, UpstreamCall.PLAIN_GET, true, now));
        }
        store.addListener(this::onStoreChange);
    }

    /** Starts the refresher; its first pass (which fetches the prefetch targets) runs at once. */
    void start() {
        long period = settings.tick().toMillis();
        ticking = scheduler.scheduleWithFixedDelay(this::tickSafely, 0, period, TimeUnit.MILLISECONDS);
    }

    /** The answer for {@code key}: from the store when usable, else after one (shared) upstream attempt. */
    CompletionStage<Reply> serve(CacheKey key, UpstreamCall call) {
        Instant now = clock.instant();
        Entry e = entries.get(key);
        Held h = e == null ? null : e.held();
        if (h != null && h.usableAt(now) && store.get(key) != null) {
            e.touch(now);
            if (h.servableWhileRevalidatingAt(now)) {
                metrics.hit();
                if (!h.freshAt(now)) {
                    metrics.staleServed();
                    if (h.signed() && due(e, now)) {
                        fetch(key, e.call, "revalidate");
                    }
                }
                return CompletableFuture.completedFuture(Reply.ok(e.stamped(h, now)));
            }
            return revalidateFirst(e, h, now);
        }
        metrics.miss();
        if (e != null) {
            e.touch(now);
            if (recentlyFailed(e, now) && !inFlight.containsKey(key)) {
                Reply stale = staleDerived(e, now);
                return CompletableFuture.completedFuture(stale != null ? stale
                        : noValidCopy(key, e.failureStatus(), e.failure()));
            }
        }
        return fetch(key, e != null ? e.call : call, "miss").thenApply(r -> reply(key, r));
    }

    /**
     * A signed copy idle past its {@code stale-while-revalidate} window: the request waits for
     * the revalidation (shared with any under way) instead of getting an old copy with a large
     * {@code Age}, which would also make a downstream cache treat it as uncacheable. When the
     * upstream was asked moments ago, the copy it confirmed is served (it is what the upstream
     * has); when it failed, the copy is served within its {@code stale-if-error} window, else 504.
     */
    private CompletionStage<Reply> revalidateFirst(Entry e, Held h, Instant now) {
        metrics.miss();
        if (inFlight.containsKey(e.key) || due(e, now)) {
            return fetch(e.key, e.call, "revalidate").thenApply(r -> reply(e.key, r));
        }
        if (!recentlyFailed(e, now)) {
            return CompletableFuture.completedFuture(Reply.ok(e.stamped(h, now)));
        }
        return CompletableFuture.completedFuture(onError(e, now, e.failureStatus(), e.failure()));
    }

    /** The held copy within its {@code stale-if-error} window, else the error. */
    private Reply onError(Entry e, Instant now, int status, String reason) {
        Held h = e.held();
        if (h != null && (h.signed() ? h.servableOnErrorAt(now) : h.usableAt(now))) {
            if (!h.freshAt(now)) {
                metrics.staleServed();
            }
            return Reply.ok(e.stamped(h, now));
        }
        Reply stale = staleDerived(e, now);
        return stale != null ? stale : noValidCopy(e.key, status, reason);
    }

    /** Starts an upstream attempt for {@code key}, or joins the one under way. */
    private CompletableFuture<FetchResult> fetch(CacheKey key, UpstreamCall call, String kind) {
        CompletableFuture<FetchResult> mine = new CompletableFuture<>();
        CompletableFuture<FetchResult> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            if (kind.equals("miss")) {
                metrics.coalescedWait();
            }
            return running;
        }
        Entry e = entries.get(key);
        if (e != null) {
            e.attempted(clock.instant());
        }
        CompletableFuture<FetchResult> attempt;
        try {
            attempt = fetcher.run(key, call, e == null ? null : e.held());
        } catch (RuntimeException ex) {
            attempt = CompletableFuture.failedFuture(ex);
        }
        attempt.whenComplete((result, failure) -> {
            FetchResult r = failure != null
                    ? new FetchResult.Failed(504, "upstream attempt failed: " + failure, false) : result;
            try {
                apply(key, call, r, kind);
            } catch (RuntimeException ex) {
                LOG.error("storing the answer for {} failed", key, ex);
            } finally {
                // Leave the map first: whoever sees this attempt completed must not join it again.
                inFlight.remove(key, mine);
                mine.complete(r);
            }
        });
        return mine;
    }

    /** Records what an attempt brought: holds a new copy, forgets a gone resource, or notes the failure. */
    private void apply(CacheKey key, UpstreamCall call, FetchResult r, String kind) {
        Instant now = clock.instant();
        Entry e = entries.get(key);
        if (r instanceof FetchResult.Stored s) {
            metrics.fetch(kind, "stored");
            Held h = s.held();
            if (!h.usableAt(now) || !h.signed() && !h.freshAt(now)) {
                return;
            }
            if (e == null) {
                e = entries.computeIfAbsent(key, k -> new Entry(k, call, false, now));
            }
            if (e.failedAt() != null) {
                LOG.info("{}: upstream answers again", key);
            }
            e.succeeded();
            if (!newer(h, e.held())) {
                return; // a version offered (pushed) while this attempt ran is newer: keep it
            }
            hold(e, h);
            fetcher.accepted(key);
            if (!h.signed()) {
                trackSources(h);
            }
        } else if (r instanceof FetchResult.Answer a) {
            metrics.fetch(kind, "error");
            int status = a.error().httpStatus();
            if (e != null && (status == 404 || status == 410) && key.isGet()) {
                forget(e);
            }
        } else if (r instanceof FetchResult.Failed f) {
            metrics.fetch(kind, f.rejected() ? "rejected" : "failed");
            if (e != null) {
                if (e.failedAt() == null && !f.rejected()) {
                    LOG.warn("{}: {}; serving the held copy while it is valid", key, f.reason());
                }
                e.failed(now, f.status(), f.reason());
            }
        }
    }

    /**
     * Holds {@code r}, verified elsewhere (the push feed), for a GET of {@code target} exactly as
     * if an attempt had fetched it now. Refused (false) when the copy held is signed and newer by
     * {@code created}: a late or replayed version never replaces a newer one.
     */
    boolean offer(String target, Representation r, String viaEntry) {
        CacheKey key = CacheKey.get(target);
        Instant now = clock.instant();
        if (!now.isBefore(r.expires())) {
            return false;
        }
        Held h = Held.of(offered(r.identity(), r, now, viaEntry), r.gzip() == null ? null
                : offered(r.gzip(), r, now, viaEntry));
        Entry e = entries.computeIfAbsent(key, k -> new Entry(k, UpstreamCall.PLAIN_GET, false, now));
        if (!newer(h, e.held())) {
            return false;
        }
        e.succeeded();
        hold(e, h);
        return true;
    }

    private static HeldVariant offered(Variant v, Representation r, Instant now, String viaEntry) {
        Variant stored = new Variant(v.body(), v.contentEncoding(), HeaderRules.stored(v.headers(), viaEntry));
        // The windows its origin would announce now: it came without a Cache-Control of its own.
        return new HeldVariant(stored, true, r.created(), r.expires(), now, r.maxAgeSeconds(), 0,
                r.staleWhileRevalidateAt(now), r.staleIfErrorAt(now));
    }

    /** False when {@code current} is a signed copy created after {@code candidate}. */
    private static boolean newer(Held candidate, Held current) {
        return current == null || !current.signed() || !candidate.signed()
                || !current.identity().created().isAfter(candidate.identity().created());
    }

    private void hold(Entry e, Held h) {
        // Entry first, then the store: an immediate eviction then finds and releases it.
        e.hold(h);
        store.put(e.key, h.base());
        if (e.key.isGet() && h.signed() && e.held() == h) {
            metrics.expires(e.key.target(), h.expires());
            for (BiConsumer<String, Representation> l : listeners) {
                try {
                    l.accept(e.key.target(), h.base());
                } catch (RuntimeException ex) {
                    LOG.warn("a listener of {} failed", e.key, ex);
                }
            }
        }
    }

    /**
     * The signed copy held for a GET of {@code target} and usable now (as stored, without
     * {@code age}), or null. For computing answers from held maps; a lookup.
     */
    Representation heldSigned(String target) {
        Entry e = entries.get(CacheKey.get(target));
        Held h = e == null ? null : e.held();
        return h != null && h.signed() && h.usableAt(clock.instant()) ? h.base() : null;
    }

    /**
     * Counts a use of the copy held for a GET of {@code target}, as a request for it would: a map
     * that answers are computed from is kept fresh like one that is served.
     */
    void touch(String target) {
        Entry e = entries.get(CacheKey.get(target));
        if (e != null) {
            e.touch(clock.instant());
        }
    }

    /** Called with each signed copy held for a GET target (fetched, revalidated or offered). */
    void addChangeListener(BiConsumer<String, Representation> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    private Reply reply(CacheKey key, FetchResult r) {
        Instant now = clock.instant();
        if (r instanceof FetchResult.Stored s) {
            Entry e = entries.get(key);
            Held h = s.held();
            return Reply.ok(e != null && e.held() == h ? e.stamped(h, now) : h.withAge(h.ageAt(now)));
        }
        if (r instanceof FetchResult.Answer a) {
            return new Reply.Error(a.error(), key.dialect(), a.allow());
        }
        FetchResult.Failed f = (FetchResult.Failed) r;
        Entry e = entries.get(key);
        return e == null ? noValidCopy(key, f.status(), f.reason()) : onError(e, now, f.status(), f.reason());
    }

    /**
     * An unsigned computed answer past its max-age, served when the upstream cannot be reached
     * while every signed document it names in {@code Alto-Derived-From} is held here, valid and
     * of the named version: the answer still follows from maps a client could verify, so an
     * origin outage costs no error. Null when that does not hold.
     */
    private Reply staleDerived(Entry e, Instant now) {
        Held h = e.held();
        if (h == null || h.signed() || !DerivedFrom.sourcesValid(h, entries::get, now)) {
            return null;
        }
        metrics.staleServed();
        return Reply.ok(e.stamped(h, now));
    }

    /**
     * Fetches the signed sources of a computed answer that the proxy does not track yet, and
     * counts a use of those it does: answers computed here (and stale ones served in an outage)
     * rest on them, so they are kept fresh like documents that are asked for.
     */
    private void trackSources(Held h) {
        DerivedFrom.paths(h).forEach(path -> {
            track(path);
            touch(path);
        });
    }

    /**
     * Fetches the document at {@code target} (a GET) unless the proxy tracks it already. A failed
     * attempt leaves no entry (as for a client's miss), so a document that was never held is
     * tried again by the next miss rather than refused for the retry interval. Does not block.
     */
    void track(String target) {
        CacheKey key = CacheKey.get(target);
        if (!entries.containsKey(key)) {
            fetch(key, UpstreamCall.PLAIN_GET, "source");
        }
    }

    /** True while an upstream attempt for a GET of {@code target} is under way. A lookup. */
    boolean fetching(String target) {
        return inFlight.containsKey(CacheKey.get(target));
    }

    private Reply noValidCopy(CacheKey key, int status, String reason) {
        return Reply.error(AltoError.serverCondition("no valid copy of " + key.target() + " (" + reason + ")",
                status == 0 ? 504 : status), key.dialect());
    }

    /**
     * Adds targets that count as asked for at every refresher pass, whether or not a request
     * names them: each is fetched when not tracked yet and touched, so it is revalidated ahead of
     * going stale and never forgotten while {@code targets} lists it (the documents an update
     * stream follows). {@code targets} is called on the refresher thread and must not block.
     */
    void keepFresh(Supplier<? extends Collection<String>> targets) {
        wanted.add(requireNonNull(targets, "targets"));
    }

    /** One refresher pass; returns the attempts it started. */
    List<CompletableFuture<FetchResult>> tick() {
        for (Supplier<? extends Collection<String>> w : wanted) {
            for (String target : w.get()) {
                track(target);
                touch(target);
            }
        }
        Instant now = clock.instant();
        List<CompletableFuture<FetchResult>> started = new ArrayList<>();
        for (Entry e : entries.values()) {
            Held h = e.held();
            boolean usable = h != null && h.usableAt(now);
            if (!usable) {
                if (h != null && !h.signed()) {
                    if (idle(e, now) || !DerivedFrom.sourcesValid(h, entries::get, now)) {
                        forget(e);
                    }
                } else if (!e.pinned && idle(e, now)) {
                    forget(e);
                } else if (due(e, now)) {
                    started.add(fetch(e.key, e.call, "recover"));
                }
            } else if (h.signed() && hot(e, h) && !now.isBefore(h.freshUntil().minus(ahead(h))) && due(e, now)) {
                started.add(fetch(e.key, e.call, "refresh"));
            }
        }
        return started;
    }

    /** Runs a refresher pass now; completes when every attempt it started has ended. */
    CompletableFuture<Void> refreshNow() {
        return CompletableFuture.allOf(tick().toArray(new CompletableFuture<?>[0]));
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("refresher pass failed", e);
        }
    }

    /** Null when every resource the proxy tracks holds a valid copy, else why not. */
    String notReadyBecause() {
        Instant now = clock.instant();
        int total = 0;
        int missing = 0;
        String example = null;
        for (Entry e : entries.values()) {
            Held h = e.held();
            if (!e.pinned && (h == null || !h.signed())) {
                continue;
            }
            total++;
            if (h == null || !h.usableAt(now)) {
                missing++;
                example = e.key.target();
            }
        }
        return missing == 0 ? null : missing + " of " + total + " resources hold no valid copy (e.g. " + example + ")";
    }

    /** Completes when every upstream attempt under way now has ended (tests; shutdown). */
    CompletableFuture<Void> quiet() {
        return CompletableFuture.allOf(inFlight.values().toArray(new CompletableFuture<?>[0]));
    }

    /** The entry of {@code key}, for tests and metrics. */
    Entry entry(CacheKey key) {
        return entries.get(key);
    }

    private boolean hot(Entry e, Held h) {
        return e.pinned || e.lastAccess().isAfter(h.identity().fetchedAt());
    }

    /**
     * How long before going stale a hot entry is revalidated: {@code refresh.ahead}, but at most a
     * fifth of its max-age. A revalidation takes milliseconds and a copy found a little stale is
     * still served while it is revalidated, so the window only needs to cover a tick or two; a
     * wider one (half the max-age, say) would make each proxy ask twice per refresh period.
     */
    private Duration ahead(Held h) {
        Duration fifth = Duration.ofSeconds(h.identity().maxAgeSeconds()).dividedBy(5);
        return fifth.compareTo(settings.ahead()) < 0 ? fifth : settings.ahead();
    }

    private boolean due(Entry e, Instant now) {
        Instant last = e.lastAttempt();
        return (last == null || !now.isBefore(last.plus(settings.minInterval()))) && !recentlyFailed(e, now);
    }

    private boolean recentlyFailed(Entry e, Instant now) {
        Instant failed = e.failedAt();
        return failed != null && now.isBefore(failed.plus(settings.retry()));
    }

    private boolean idle(Entry e, Instant now) {
        return e.lastAccess().plus(settings.forgetAfter()).isBefore(now);
    }

    private void forget(Entry e) {
        metrics.expires(e.key.target(), null);
        Held h = e.held();
        if (!e.pinned) {
            entries.remove(e.key, e);
        }
        if (h != null) {
            e.release(h.base());
            store.remove(e.key);
        }
    }

    private void onStoreChange(CacheKey key, Representation r, StoreListener.Change change) {
        if (change == StoreListener.Change.STORED) {
            return;
        }
        Entry e = entries.get(key);
        if (e == null) {
            return;
        }
        e.release(r);
        if (e.held() == null) {
            if (!e.pinned) {
                entries.remove(key, e);
            }
            metrics.expires(key.target(), null);
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = ticking;
        if (t != null) {
            t.cancel(false);
        }
    }
}

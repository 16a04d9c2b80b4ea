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
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.VerifiedRepresentation;
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
 * <p>This class puts the parts together and is their face (to the proxy, the answers computed
 * from held maps, the update stream); the jobs are apart: what a request gets ({@link Replies}),
 * the table of cached copies ({@link CachedCopies}), the upstream attempts ({@link Attempts}) and
 * the refresher ({@link Refresher}). {@link #serve} runs on event loops and never blocks: a hit
 * is two map lookups and a prepared representation. Fetches run on the upstream client's threads
 * and the worker executor; the refresher on the scheduler. Time comes from the injected clock.
 */
final class PullFeed implements AutoCloseable {
    /**
     * @param tick        refresher period (real time)
     * @param ahead       revalidate hot entries this long before they go stale (at most a fifth of their max-age)
     * @param retry       the longest pause after failed attempts (2 s doubling up to it, each drawn: {@link RetryPause})
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
    private final FitChase fitChase;
    private final Replies replies;
    private final Clock clock;

    PullFeed(Settings settings, RepresentationStore<CacheKey> store, EntryFetch fetcher, PullMetrics metrics,
             Clock clock, ScheduledExecutorService scheduler) {
        this(settings, store, fetcher, metrics, clock, scheduler, RetryPause.random(settings.retry()));
    }

    /** With the pauses after failed attempts drawn by {@code pause} (tests). */
    PullFeed(Settings settings, RepresentationStore<CacheKey> store, EntryFetch fetcher, PullMetrics metrics,
             Clock clock, ScheduledExecutorService scheduler, RetryPause pause) {
        requireNonNull(settings, "settings");
        requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.copies = new CachedCopies(store, metrics);
        this.attempts = new Attempts(copies, fetcher, metrics, clock, pause, settings.minInterval());
        // past the caches in between, which may hold the directory from before the key an answer names
        fetcher.chaseUnknownKeys(new KeyChase(clock,
                () -> attempts.fetch(KeyChase.DIRECTORY, UpstreamCall.GET_PAST_CACHES, "key")));
        this.refresher = new Refresher(settings, copies, attempts, clock, scheduler);
        copies.onNewVersion(refresher::revalidateSignedBefore);
        this.fitChase = new FitChase(copies, attempts, refresher, clock, scheduler);
        this.replies = new Replies(copies, attempts, refresher, metrics, clock);
        Instant now = clock.instant();
        for (String target : settings.prefetch()) {
            copies.pin(CacheKey.get(target), now);
        }
    }

    /**
     * Starts the refresher: first the directory's fetch, when it is prefetched (as a proxy's always
     * is), then, once that has ended however it ended, the passes, the first of which fetches the
     * other prefetch targets. The directory is where the origin announces its next key: in the
     * middle of a key rotation the other documents are signed by a key that only the directory
     * teaches a proxy configured with the old one, and fetched beside it they were refused (a WARN
     * and an {@code unknown_key} at every restart) until a retry pause later. A client's miss
     * meanwhile waits for it too ({@link DirectoryFirst}): it got {@code 502}, the document refused
     * as signed by an unknown key. Call before the front end takes requests.
     */
    void start() {
        Entry directory = copies.get(CacheKey.get(UpstreamParts.DIRECTORY));
        if (directory == null || !directory.pinned) {
            refresher.start();
            return;
        }
        attempts.directoryFirst(directory.key, directory.call).whenComplete((r, x) -> refresher.start());
    }

    /** The answer for {@code key}: see {@link Replies#serve}. On an event loop; never blocks. */
    CompletionStage<Reply> serve(CacheKey key, UpstreamCall call) {
        return replies.serve(key, call);
    }

    /** See {@link CachedCopies#offer}. */
    boolean offer(VerifiedRepresentation copy, String viaEntry) {
        return copies.offer(copy, viaEntry, clock.instant());
    }

    /**
     * The signed copy held for a GET of {@code target} and usable now (as stored, without
     * {@code age}), or null. For computing answers from held maps; a lookup.
     */
    Representation heldSigned(String target) {
        return copies.heldSigned(target, clock.instant());
    }

    /**
     * When the copy held for a GET of {@code target} was generated or last validated upstream, as
     * this proxy reckons it (see {@link CachedCopy#validatedAt}): where the {@code Age} it goes
     * out with counts from, and so that of the answers computed from it. Null when none is held.
     */
    Instant validated(String target) {
        Entry e = copies.get(CacheKey.get(target));
        CachedCopy h = e == null ? null : e.held();
        return h == null ? null : h.validatedAt();
    }

    /**
     * True when the upstream answered, at the last attempt for a GET of {@code target} (a
     * prefetched one), that it has no such resource (404, 410). A lookup.
     */
    boolean gone(String target) {
        Entry e = copies.get(CacheKey.get(target));
        return e != null && e.gone();
    }

    /** See {@link Replies#revalidateSources}. */
    CompletableFuture<Void> revalidateSources(Collection<String> targets) {
        return replies.revalidateSources(targets);
    }

    /** See {@link Replies#unvalidatedSource}. */
    String unvalidatedSource(Collection<String> targets) {
        return replies.unvalidatedSource(targets);
    }

    /**
     * Told after each reading of the held maps which of them are behind: held maps that do not fit
     * the others and were signed before them ({@link FitChase}). Does not block.
     */
    void refit(Set<String> behind) {
        fitChase.behind(behind);
    }

    /** True while {@code target} is asked for past the caches because it does not fit (tests). */
    boolean refitting(String target) {
        return fitChase.chasing(target);
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

    /** See {@link CachedCopies#addVerifiedListener}. */
    void addVerifiedListener(Consumer<VerifiedRepresentation> listener) {
        copies.addVerifiedListener(listener);
    }

    /** See {@link CachedCopies#addGoneListener}. */
    void addGoneListener(Consumer<String> listener) {
        copies.addGoneListener(listener);
    }

    /**
     * Asks the upstream again for the signed copy of {@code target} held here, once its directory
     * has been asked for again: word came, from no one trusted, that the upstream has it no more
     * (a push upstream stopped its substream). The signed answers decide, as on any revalidation:
     * a 404 or 410 with a signed directory that does not list it drops the copy and tells the gone
     * listeners; anything else keeps it. Now when the copy is due, else at the first refresher
     * pass once it is ({@link Refresher#revalidateNow}). Does not block.
     */
    void revalidateNow(String target) {
        Entry e = copies.get(CacheKey.get(target));
        CachedCopy h = e == null ? null : e.held();
        if (h != null && h.signed()) {
            refresher.revalidateNow(e, clock.instant());
        }
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

    /**
     * The refresher's look at {@code e} as a pass that read it from the table would take it, the
     * store perhaps having let its copy go since (tests). Returns the attempt started, or null.
     */
    CompletableFuture<FetchResult> tick(Entry e) {
        return refresher.pass(e, clock.instant());
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

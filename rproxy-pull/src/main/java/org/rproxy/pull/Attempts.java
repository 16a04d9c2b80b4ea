package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.sign.Verdict.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull feed's upstream attempts: at most one per key at a time (concurrent misses, refreshes
 * and revalidations of a key share it), and what each brings recorded in the {@link CachedCopies}:
 * a new copy held, a resource gone forgotten, a failure noted on the entry (or, for a key with
 * none, in {@link FailedMisses}). A failed or refused attempt never touches the copy held.
 *
 * <p>Thread-safe. {@link #fetch} does not block: attempts run on the upstream client's threads
 * and the worker executor, and complete there.
 *
 * <p>An upstream failing is an operational event, logged as one line at WARN without a stack
 * (the reason names the upstream and what happened: the timeout, a refused or reset connection,
 * a body over {@code max-body}; {@link EntryFetch} logs the exception at DEBUG): for tracked
 * entries as one outage of the upstream however many wait on it ({@link UpstreamOutage}), but an
 * answer that came and cannot be used (malformed, over {@code max-body}) as that entry's own, once
 * per failure streak, since the upstream answered; for
 * misses, whose targets clients choose, at most once per {@code MISS_FAILURE_INTERVAL} in all with
 * the count of those not logged, and while an outage lasts as part of it (its first on a line of
 * its own, the others counted in the outage's end line). Refused answers are logged by
 * {@link Rejections}, naming the upstream; the upstream's errors for entries tracked by
 * {@link ErrorAnswers}.
 */
final class Attempts {
    private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);
    private static final Duration MISS_FAILURE_INTERVAL = Duration.ofSeconds(10);

    private final CachedCopies copies;
    private final EntryFetch fetcher;
    private final PullMetrics metrics;
    private final Clock clock;
    private final ConcurrentHashMap<CacheKey, CompletableFuture<FetchResult>> inFlight = new ConcurrentHashMap<>();
    /** The tracked entries' attempts that got no answer, logged as one outage of the upstream. */
    private final UpstreamOutage outage;
    /** What the upstream's error answers do to the entries tracked. */
    private final ErrorAnswers errors;
    /** The failures of targets not tracked (misses), logged at most once per interval in all. */
    private final RateLimitedLog missFailures = new RateLimitedLog(MISS_FAILURE_INTERVAL);
    /** Holds a copy signed by a new key until the directory of its version is held, asked for again if need be. */
    private final KeySwitch keySwitch;
    /** The keys without an entry whose last attempt failed, for the retry interval. */
    private final FailedMisses failedMisses;
    /** How long a key is not asked about again after a failed attempt. */
    private final RetryPause pause;
    /** {@code refresh.min-interval}: how long an unsigned answer that arrived stale is served ({@link CachedCopy#arrivedStale}). */
    private final Duration minInterval;
    /** Holds attempts back until the directory's first fetch has ended ({@link #directoryFirst}). */
    private final DirectoryFirst directoryFirst = new DirectoryFirst();

    /**
     * @param pause       how long a key is not asked about again after a failed attempt
     * @param minInterval how long an unsigned answer that arrived stale is served all the same
     */
    Attempts(CachedCopies copies, EntryFetch fetcher, PullMetrics metrics, Clock clock, RetryPause pause,
             Duration minInterval) {
        this.minInterval = requireNonNull(minInterval, "minInterval");
        this.copies = requireNonNull(copies, "copies");
        this.keySwitch = new KeySwitch(copies, () -> fetch(KeySwitch.DIRECTORY, UpstreamCall.GET_PAST_CACHES, "refit"));
        this.fetcher = requireNonNull(fetcher, "fetcher");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.outage = new UpstreamOutage(clock, copies);
        this.pause = requireNonNull(pause, "pause");
        this.errors = new ErrorAnswers(copies, pause);
        this.failedMisses = new FailedMisses(pause, clock);
    }

    /**
     * Starts an upstream attempt for {@code key}, or joins the one under way. {@code kind} says
     * why, for the metrics: {@code miss}, {@code revalidate}, {@code refresh}, {@code recover},
     * {@code source}, {@code refit} ({@link FitChase}).
     */
    CompletableFuture<FetchResult> fetch(CacheKey key, UpstreamCall call, String kind) {
        CompletableFuture<FetchResult> mine = new CompletableFuture<>();
        CompletableFuture<FetchResult> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            if (kind.equals("miss")) {
                metrics.coalescedWait();
            }
            return running;
        }
        Entry e = copies.get(key);
        if (e != null) {
            e.attempted(clock.instant());
        }
        CompletableFuture<FetchResult> attempt;
        try {
            attempt = directoryFirst.run(key, () -> {
                CachedCopy held = e == null ? null : e.held(); // read when it starts: one may be offered meanwhile
                return keySwitch.after(key, held,
                        fetcher.run(key, call, held, held == null ? copies.rollbackFloor(key, clock.instant()) : null));
            });
        } catch (RuntimeException ex) {
            attempt = CompletableFuture.failedFuture(ex);
        }
        attempt.whenComplete((result, failure) -> {
            FetchResult r = failure != null ? FetchResult.Failed.thrown(failure) : result;
            try {
                r = apply(key, call, r, kind);
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

    /** Starts the directory's first fetch; every other attempt starts once it has ended ({@link DirectoryFirst}). */
    CompletableFuture<FetchResult> directoryFirst(CacheKey key, UpstreamCall call) {
        return directoryFirst.awaitFirst(fetch(key, call, "recover"));
    }

    /** True while an attempt for {@code key} is under way. A lookup. */
    boolean running(CacheKey key) {
        return inFlight.containsKey(key);
    }

    /**
     * How the last attempt for {@code key}, which had no entry, failed, when that was within the
     * retry interval; else null ({@link FailedMisses}). A lookup.
     */
    FetchResult.Failed failedLately(CacheKey key) {
        return failedMisses.recent(key);
    }

    /** Completes when every attempt under way now has ended (tests; shutdown). */
    CompletableFuture<Void> quiet() {
        return CompletableFuture.allOf(inFlight.values().toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Fetches the document at {@code target} (a GET) unless it is tracked already. A failed
     * attempt leaves no entry (as for a client's miss): a document that was never held is
     * answered its failure by requests within the retry interval ({@link #failedLately}), and
     * tried again by the next miss after it or by the next call here. Does not block.
     *
     * @return the attempt (one under way may be joined), or null when the target is tracked already
     */
    CompletableFuture<FetchResult> track(String target) {
        CacheKey key = CacheKey.get(target);
        return copies.contains(key) ? null : fetch(key, UpstreamCall.PLAIN_GET, "source");
    }

    /** Counts a use of the copy held for a GET of {@code target}: a map answers are computed from is kept fresh. */
    void touch(String target) {
        Entry e = copies.get(CacheKey.get(target));
        if (e != null) {
            e.touch(clock.instant());
        }
    }

    /**
     * Records what an attempt brought: holds a new copy, forgets a gone resource, or notes the
     * failure. Returns what those waiting for it get: {@code r}, or, for a copy older than a
     * signing verified for the key meanwhile and let go of since ({@link RollbackFloors}), the
     * refusal that copy would have met had that signing come first.
     */
    private FetchResult apply(CacheKey key, UpstreamCall call, FetchResult r, String kind) {
        Instant now = clock.instant();
        Entry e = copies.get(key);
        if (!(r instanceof FetchResult.Failed)) {
            failedMisses.forget(key); // an answer came
        }
        boolean inOutage = UpstreamOutage.upstreamAnswered(r) && outage.answered(key, r instanceof FetchResult.Stored);
        if (r instanceof FetchResult.Stored s) {
            metrics.fetch(kind, "stored");
            CachedCopy h = s.held();
            CachedCopy asArrived = h.arrivedStale(now, minInterval); // served for min-interval all the same
            if (asArrived != null) {
                h = asArrived;
                r = new FetchResult.Stored(h, s.failed());
            } else if (!h.usableAt(now) || !h.signed() && !h.freshAt(now)) {
                return r;
            }
            if (e == null) {
                e = copies.getOrAdd(key, call.withoutBody(), now); // a query's body is not kept (UpstreamCall)
            }
            if (asArrived != null) {
                e.attempted(now); // its min-interval counts from this answer (Refresher#due)
            }
            FetchResult.Failed partly = s.failed(); // the identity request failed, the gzip one renewed
            if (partly == null && e.failedAt() != null && !inOutage) {
                LOG.info("{}: upstream answers again", key);
            }
            if (partly == null) {
                e.succeeded();
            } else {
                if (e.failedAt() == null && !partly.rejected()) {
                    LOG.warn("{}: {}; serving the held copy while it is valid", key, partly.reason());
                }
                e.failed(now, pause.after(now, e.failures()), partly.status(), partly.reason()); // asked again after the pause
            }
            if (copies.hold(e, h) == null) {
                // a version offered (pushed) while this attempt ran is newer: kept, and served
                // (Replies); if let go of since, this one is older than a signing verified here
                Entry live = copies.get(key); // e, or one made since e was taken out
                CachedCopy current = live == null ? null : live.held();
                return current != null && !CachedCopies.newer(h, current) ? r : overtaken(key, h);
            }
            fetcher.accepted(key);
            if (!h.signed()) {
                trackSources(h);
            }
        } else if (r instanceof FetchResult.Answer a) {
            metrics.fetch(kind, "error");
            errors.answered(key, e, a, inOutage, now);
        } else if (r.equals(FetchResult.Failed.STOPPING)) {
            LOG.debug("{}: cut by this proxy's stop", key); // no upstream failed: nothing to warn of, or to count
        } else if (r instanceof FetchResult.Failed f) {
            metrics.fetch(kind, f.rejected() ? "rejected" : "failed");
            if (e != null) {
                if (UpstreamOutage.noAnswer(f)) {
                    outage.failed(key, f, e.held() != null); // one line for the upstream, not one per document
                } else if ((e.failedAt() == null || inOutage) && !f.rejected()) { // unusable, overload, or busy connections
                    LOG.warn("{}: {}; {}", key, f.reason(),
                            e.held() == null ? "no copy held" : "serving the held copy while it is valid");
                }
                e.failed(now, pause.after(now, e.failures()), f.status(), f.reason());
            } else {
                failedMisses.failed(key, f); // not asked for again by requests within the retry interval
                if (!f.rejected()) {
                    missFailed(key, f);
                }
            }
        }
        return r;
    }

    /**
     * Logs the failed fetch of {@code key}, which has no entry: clients choose the targets, so at
     * most one line per interval, or, while an outage lasts, the outage's ({@link UpstreamOutage#missFailed}).
     */
    private void missFailed(CacheKey key, FetchResult.Failed f) {
        switch (outage.missFailed(key, f)) {
            case OWN -> missFailures.warn(LOG, "{}: {}; no copy held", key, f.reason());
            case FIRST -> LOG.warn("{}: {}; no copy held (the first miss to fail in this outage: the others are counted"
                    + " in its end line)", key, f.reason());
            case COUNTED -> {
                // the outage's lines tell it
            }
        }
    }

    /** The refusal of {@code h}, fetched for {@code key}, older than a signing verified since and let go of. */
    private FetchResult.Failed overtaken(CacheKey key, CachedCopy h) {
        String reason = "upstream answer refused: ROLLBACK: created " + h.identity().created()
                + ", older than a signing verified here while it was fetched";
        LOG.debug("{}: {}", key, reason);
        metrics.verificationFailure(Outcome.ROLLBACK);
        return new FetchResult.Failed(502, reason, true);
    }

    /** The upstream has no resource at {@code e}'s GET target: {@link ErrorAnswers#hasNone}. */
    void hasNone(Entry e, CachedCopy held, int status, String upstream, Instant now) {
        errors.hasNone(e, held, status, upstream, now);
    }

    /**
     * Fetches the signed sources of a computed answer that are not tracked yet, and counts a use
     * of those that are: answers computed here (and stale ones served in an outage) rest on them,
     * so they are kept fresh like documents that are asked for.
     */
    private void trackSources(CachedCopy h) {
        DerivedFrom.paths(h).forEach(path -> {
            track(path);
            touch(path);
        });
    }
}

package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Reply;

/**
 * What a request for a key gets from the pull feed, decided from its cached copy's state and, when
 * that is not enough, from an upstream attempt ({@link Attempts}, shared by concurrent requests):
 * <ul>
 *   <li>a usable copy within its {@code max-age} is a hit; past it, within the
 *       {@code stale-while-revalidate} window its response announced, it is served stale while
 *       revalidated in the background; past that window the request waits for the
 *       revalidation;</li>
 *   <li>when the upstream fails (a 4xx other than 404 and 410 for a document held signed counts as
 *       failing: it is not trusted), the copy is served within its {@code stale-if-error} window, and
 *       an unsigned computed answer whose signed sources are all held and valid is served stale;
 *       else 504 (or the upstream's status, 502 when its answer did not verify) with an ALTO
 *       error;</li>
 *   <li>an entry whose last attempt failed moments ago is not asked for again at once, nor is a
 *       key with no entry whose last attempt failed ({@link FailedMisses});</li>
 *   <li>an attempt overtaken by a newer signing held meanwhile (offered by the push feed) answers
 *       with that one, as the feed keeps it: never with the older version the upstream sent;</li>
 *   <li>the signed maps an answer computed here comes from are revalidated by the same rules
 *       when the answer is asked for ({@link #revalidateSources}).</li>
 * </ul>
 *
 * <p>{@link #serve} runs on event loops and never blocks: a hit is two map lookups and a prepared
 * representation; the rest completes when the attempt does.
 */
final class Replies {

    private final CachedCopies copies;
    private final Attempts attempts;
    private final Refresher refresher;
    private final PullMetrics metrics;
    private final Clock clock;

    Replies(CachedCopies copies, Attempts attempts, Refresher refresher, PullMetrics metrics, Clock clock) {
        this.copies = requireNonNull(copies, "copies");
        this.attempts = requireNonNull(attempts, "attempts");
        this.refresher = requireNonNull(refresher, "refresher");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
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
                        attempts.fetch(key, asked(e, call), "revalidate");
                    }
                }
                return CompletableFuture.completedFuture(Reply.ok(e.stamped(h, now), held(h, now)));
            }
            return revalidateFirst(e, h, asked(e, call), now);
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
        } else {
            FetchResult.Failed lately = attempts.failedLately(key); // the same rule for a key with no entry
            if (lately != null && !attempts.running(key)) {
                return CompletableFuture.completedFuture(noValidCopy(key, lately.status(), lately.reason()));
            }
        }
        return attempts.fetch(key, e != null ? asked(e, call) : call, "miss").thenApply(r -> reply(key, r));
    }

    /**
     * What to ask upstream for {@code e}'s key on behalf of a request that made {@code call}: the
     * entry's call for a GET, the request's for a POST (the entry keeps no query body: {@link
     * UpstreamCall#withoutBody}; the request's is equivalent, its key being the same).
     */
    private static UpstreamCall asked(Entry e, UpstreamCall call) {
        return e.key.isGet() ? e.call : call;
    }

    /**
     * What an answer computed from the held copies of {@code targets} (its signed sources) needs
     * before it goes out, decided for each copy as a request for that document would be: each is
     * counted as used (so a hot one is refreshed ahead of going stale), and each past its
     * {@code max-age} is revalidated, in the background while within the
     * {@code stale-while-revalidate} window its response announced, in front of the answer past
     * it (shared with an attempt under way; not again within {@code min-interval} or
     * {@code retry} of the last one, as for documents). A target not held, or held unsigned or
     * expired, is left alone: the answer engine does not answer from it. On an event loop or a
     * worker; never blocks.
     *
     * @return null when the answer may go out now, else completes when the revalidations it
     *         waits for have ended (however they ended)
     */
    CompletableFuture<Void> revalidateSources(Collection<String> targets) {
        Instant now = clock.instant();
        List<CompletableFuture<FetchResult>> first = new ArrayList<>();
        for (String target : targets) {
            CacheKey key = CacheKey.get(target);
            Entry e = copies.get(key);
            CachedCopy h = e == null ? null : e.held();
            if (h == null || !h.signed() || !h.usableAt(now)) {
                continue;
            }
            e.touch(now);
            if (h.freshAt(now) || !attempts.running(key) && !refresher.due(e, now)) {
                continue;
            }
            CompletableFuture<FetchResult> attempt = attempts.fetch(key, e.call, "revalidate");
            if (!h.servableWhileRevalidatingAt(now)) {
                first.add(attempt);
            }
        }
        return first.isEmpty() ? null : CompletableFuture.allOf(first.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Why an answer computed from the held copies of {@code targets} must not go out, or null
     * when it may: one of them must be revalidated once stale ({@code must-revalidate},
     * {@code proxy-revalidate}, {@code s-maxage}) and is stale without a successful validation
     * (RFC 9111 §4.2.4, §5.2.2.2) — its revalidation failed, or has not been tried since it went
     * stale. The answer would stand for that copy, which this proxy may not serve itself then. A
     * copy the upstream confirmed within {@code min-interval} counts as validated, as for a
     * request for it ({@link #revalidateFirst}). Lookups only: on an event loop or a worker.
     */
    String unvalidatedSource(Collection<String> targets) {
        Instant now = clock.instant();
        for (String target : targets) {
            Entry e = copies.get(CacheKey.get(target));
            CachedCopy h = e == null ? null : e.held();
            if (h != null && h.signed() && h.usableAt(now) && h.identity().mustRevalidate() && !h.freshAt(now)
                    && (refresher.recentlyFailed(e, now) || refresher.due(e, now))) {
                String failure = e.failure();
                return target + " is stale and its upstream said " + h.identity().revalidation().directive()
                        + (failure == null ? "" : "; its revalidation failed: " + failure);
            }
        }
        return null;
    }

    /**
     * A signed copy idle past its {@code stale-while-revalidate} window: the request waits for
     * the revalidation (shared with any under way) instead of getting an old copy with a large
     * {@code Age}, which would also make a downstream cache treat it as uncacheable. When the
     * upstream was asked moments ago, the copy it confirmed is served (it is what the upstream
     * has); when it failed, the copy is served within its {@code stale-if-error} window, else 504.
     */
    private CompletionStage<Reply> revalidateFirst(Entry e, CachedCopy h, UpstreamCall call, Instant now) {
        metrics.miss();
        if (attempts.running(e.key) || refresher.due(e, now)) {
            return attempts.fetch(e.key, call, "revalidate").thenApply(r -> reply(e.key, r));
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

    private Reply reply(CacheKey key, FetchResult r) {
        Instant now = clock.instant();
        if (r instanceof FetchResult.Stored s) {
            Entry e = copies.get(key);
            CachedCopy h = s.held();
            CachedCopy current = e == null ? null : e.held();
            if (current != null && current != h && current.usableAt(now) && !CachedCopies.newer(h, current)) {
                // overtaken: a newer signing was held while the attempt ran (offered), and kept
                return Reply.ok(e.stamped(current, now), held(current, now));
            }
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
            if (e != null && e.outlives(e.held(), a.error().httpStatus(), now)) {
                Reply kept = onError(e, now, a.error().httpStatus(), e.failure()); // and its other 4xx
                if (kept instanceof Reply.Ok) {
                    return kept;
                }
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
     * origin outage costs no error. Never one its upstream said {@code must-revalidate} (or
     * {@code proxy-revalidate}) of. Null when that does not hold.
     */
    private Reply staleDerived(Entry e, Instant now) {
        CachedCopy h = e.held();
        if (h == null || h.signed() || h.identity().mustRevalidate()
                || !DerivedFrom.sourcesValid(h, copies::get, now)) {
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

}

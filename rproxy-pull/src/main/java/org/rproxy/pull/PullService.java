package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;
import org.rproxy.core.server.TargetForm;

/**
 * The pull proxy's answer to every request. A query ({@link AnswerEngine#isQuery}) that the
 * {@link CurrentAnswers} can answer from held maps is computed on the worker executor, or taken
 * from the answers already computed for this version on the event loop; past its
 * {@code max-age} its source maps are revalidated as documents asked for are ({@link #fresh}). Everything
 * else goes to the {@link PullFeed}: GET and HEAD straight away (a hit completes on the event
 * loop); a POST's body is canonicalised and hashed for its key on the worker executor first (a
 * full {@link WorkPool} answers {@code 503}). The
 * request target is passed upstream as received, since the origin signs the path and query it
 * was asked for.
 */
final class PullService implements AltoService {
    private static final String GET_ONLY = "GET, HEAD";
    /**
     * The update stream's path (RFC 8895) in the directory this proxy passes on. Without a
     * publisher mounted in front of this service, a request for it must not go upstream: the
     * upstream's answer is an event stream that never ends, which a pull fetch would wait out.
     */
    static final String UPDATES = "/updates";

    private final PullFeed feed;
    private final Executor work;
    private final Executor queries;
    private final CurrentAnswers local;
    private final PullMetrics metrics;
    private final NotFoundMemory notFound;

    /** @param local the answers computed from held maps, or null to forward every query */
    /**
     * @param work    digests of forwarded query bodies
     * @param queries computes local answers; refuses when full (bounded), which is answered 503
     */
    PullService(PullFeed feed, Executor work, Executor queries, CurrentAnswers local, PullMetrics metrics) {
        this(feed, work, queries, local, metrics, null);
    }

    /** @param notFound the upstream's recent 404s for GETs, or null to ask every time */
    PullService(PullFeed feed, Executor work, Executor queries, CurrentAnswers local, PullMetrics metrics,
                NotFoundMemory notFound) {
        this.feed = requireNonNull(feed, "feed");
        this.work = requireNonNull(work, "work");
        this.queries = requireNonNull(queries, "queries");
        this.local = local;
        this.metrics = requireNonNull(metrics, "metrics");
        this.notFound = notFound;
    }

    @Override
    public CompletionStage<Reply> handle(AltoRequest request) {
        String target = originForm(request.target());
        if (target == null) {
            return CompletableFuture.completedFuture(Reply.error(AltoError.invalidValue("uri", request.target(),
                    "not a request target this proxy can forward"), Dialects.of(request.path())));
        }
        if (request.path().equals(UPDATES) || request.path().startsWith(UPDATES + "/")) {
            return CompletableFuture.completedFuture(Reply.error(AltoError.invalidValue("uri", request.path(),
                    "this proxy serves no update stream; subscribe at its upstream").withStatus(404),
                    Dialects.of(request.path())));
        }
        boolean query = AnswerEngine.isQuery(request);
        AnswerEngine maps = local == null ? null : local.current();
        if (query && maps != null && maps.routes(request)) {
            return computed(maps, request, target, true);
        }
        if (query) {
            metrics.query(false);
            if (local != null) {
                local.forwarded();
            }
        }
        return forward(request, target);
    }

    /**
     * The answer computed from {@code maps}: one already computed for this version (a lookup, on
     * the event loop), else computed on the query pool; forwarded when the held maps cannot
     * answer it. With {@code check}, its source maps are looked at first, as requests for them
     * would be ({@link #fresh}).
     */
    private CompletionStage<Reply> computed(AnswerEngine maps, AltoRequest request, String target, boolean check) {
        Reply cached = maps.cached(request);
        if (cached != null) {
            return check ? fresh(cached, request, target) : counted(validated(cached, request));
        }
        try {
            // skipped, and nothing forwarded or revalidated for it, if the client leaves before its turn
            return CompletableFuture.supplyAsync(request.clientWait().unlessGone(() -> local.answer(maps, request)), queries).thenCompose(r -> {
                if (r == null) {
                    metrics.query(false);
                    return forward(request, target);
                }
                return check ? fresh(r, request, target) : counted(validated(r, request));
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Reply.error(AltoError.serverCondition(
                    "too many queries in progress at this proxy; try again", 503), Dialects.of(request.path())));
        }
    }

    /**
     * {@code r}, computed here, as a held document would go out: it is as old as its oldest
     * source map, so once it is half its {@code max-age} old its sources count as used (kept
     * fresh ahead like documents asked for), and past it they are revalidated
     * ({@link PullFeed#revalidateSources}): behind the answer within their
     * {@code stale-while-revalidate} window, in front of it past that, the answer then computed
     * again from the maps the revalidation brought (once; if it failed, from those held, still
     * valid). Without this, a map only ever read through queries was never revalidated and its
     * answers went out with an {@code Age} past {@code max-age}, stale on arrival at a cache.
     */
    private CompletionStage<Reply> fresh(Reply r, AltoRequest request, String target) {
        CompletableFuture<Void> first = null;
        if (r instanceof Reply.Ok ok && 2 * ok.representation().ageSeconds() >= ok.representation().maxAgeSeconds()) {
            first = feed.revalidateSources(DerivedFrom.paths(ok.representation()));
        }
        if (first == null) {
            return counted(validated(r, request));
        }
        return first.thenCompose(v -> local.settled()).thenCompose(maps -> {
            if (maps.routes(request)) {
                return computed(maps, request, target, false);
            }
            metrics.query(false);
            return forward(request, target);
        });
    }

    /**
     * {@code r}, computed here, unless a map it comes from may not be used stale and has not been
     * validated ({@link PullFeed#unvalidatedSource}): then 504, as a request for that map gets,
     * not an answer resting on what the upstream said must be revalidated first.
     */
    private Reply validated(Reply r, AltoRequest request) {
        String why = r instanceof Reply.Ok ok ? feed.unvalidatedSource(DerivedFrom.paths(ok.representation())) : null;
        return why == null ? r : Reply.error(AltoError.serverCondition("no answer from valid copies here: " + why, 504),
                Dialects.of(request.path()));
    }

    private CompletionStage<Reply> counted(Reply r) {
        metrics.query(true);
        return CompletableFuture.completedFuture(r);
    }

    /**
     * What a resource accepts, for the front end's 405 to PUT, DELETE and the like: a query the
     * held directory lists says; a document held is GET and HEAD; anything else is the
     * upstream's to say, so every method the front end passes on (the upstream answers those).
     */
    @Override
    public String allow(String path) {
        AnswerEngine maps = local == null ? null : local.current();
        String query = maps == null ? null : maps.allow(path);
        if (query != null) {
            return query;
        }
        return feed.heldSigned(path) != null ? GET_ONLY : ALL_METHODS;
    }

    /** The feed's answer: from the store, or fetched through from the upstream. */
    private CompletionStage<Reply> forward(AltoRequest request, String target) {
        if (request.method().equals("POST")) {
            return post(request, target);
        }
        CompletionStage<Reply> out = get(request, target);
        return request.method().equals("HEAD") ? out.thenApply(PullService::asHead) : out;
    }

    private CompletionStage<Reply> get(AltoRequest request, String target) {
        // the client's Accept is not passed on: the answer is every client's (UpstreamCall)
        UpstreamCall get = UpstreamCall.PLAIN_GET;
        if (notFound == null) {
            return feed.serve(CacheKey.get(target), get);
        }
        // A copy held now (pushed or fetched since) wins over a remembered 404. The memory is
        // asked first: it is empty for the documents a crowd reads, so a hit looks up its
        // copy once, in serve.
        Reply.Error gone = notFound.answer(target);
        if (gone != null && feed.heldSigned(target) == null) {
            metrics.hit(); // answered from memory, the upstream not asked
            return CompletableFuture.completedFuture(gone);
        }
        CompletableFuture<Reply> served = feed.serve(CacheKey.get(target), get).toCompletableFuture();
        if (served.isDone() && !served.isCompletedExceptionally() && served.join() instanceof Reply.Ok) {
            return served; // a hit: nothing to remember
        }
        return served.thenApply(r -> notFound.note(target, r));
    }

    /**
     * A HEAD goes upstream as the GET it shares its cache key with, so an upstream's 405 names
     * {@code GET} as the method at fault; the client sent HEAD, and the origin, asked directly,
     * names that. The error is passed on with the client's method as its value.
     */
    private static Reply asHead(Reply r) {
        if (r instanceof Reply.Error e && "method".equals(e.error().field()) && "GET".equals(e.error().value())) {
            AltoError a = e.error();
            return new Reply.Error(new AltoError(a.code(), a.field(), "HEAD", a.message(), a.httpStatus()),
                    e.dialect(), e.allow());
        }
        return r;
    }

    private CompletionStage<Reply> post(AltoRequest request, String target) {
        String type = request.contentType();
        try {
            // keyed and forwarded as one form of the body, so every request for a key asks the same (UpstreamCall)
            return CompletableFuture.supplyAsync(() -> QueryDigest.form(type, request.body()), work)
                    .thenCompose(form -> feed.serve(CacheKey.post(target, type, QueryDigest.digest(form)),
                            new UpstreamCall(type, form)));
        } catch (WorkPool.Full e) {
            return unavailable(request, "too much work waits at this proxy; try again");
        } catch (RejectedExecutionException e) {
            return unavailable(request, "the proxy is stopping; try again");
        }
    }

    private static CompletionStage<Reply> unavailable(AltoRequest request, String why) {
        return CompletableFuture.completedFuture(Reply.error(AltoError.serverCondition(why, 503),
                Dialects.of(request.path())));
    }

    /**
     * {@code /path?query} in normal form ({@link TargetForm}) from an origin-form or absolute-form
     * target, or null: what is forwarded, and what the cache is keyed on, so that equivalent
     * targets share one entry and one upstream fetch. The front end hands over that form already;
     * requests made inside the process may not.
     */
    static String originForm(String raw) {
        try {
            return TargetForm.of(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.rproxy.core.answer.Answers;
import org.rproxy.core.answer.Route;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;

/**
 * The origin's answer to every request. A GET for a full document is a lookup in the current
 * snapshot of signed representations, answered at once on the event loop. Everything else —
 * queries, whose bodies must be parsed and whose answers computed — is routed to
 * {@link Answers} on the query executor; the event loop never parses or computes.
 *
 * <p>Errors are returned as {@link Reply.Error} in the dialect of the path; nothing a client
 * sends makes this class throw.
 */
final class OriginService implements AltoService {
    private final Executor executor;
    private final Clock clock;
    private final QueryLimits limits;
    private final XmlCodec xml = new XmlCodec();
    private volatile Answers current;

    OriginService(Executor executor, Clock clock, QueryLimits limits) {
        this.executor = requireNonNull(executor, "executor");
        this.clock = requireNonNull(clock, "clock");
        this.limits = requireNonNull(limits, "limits");
    }

    /** Swaps in a new catalog (or a re-signed one); requests already running finish on the old one. */
    void install(Catalog catalog, Map<String, Representation> signed, Duration maxAge) {
        current = new Answers(catalog.maps(), new OriginHoldings(catalog, signed), maxAge, clock, xml,
                limits);
    }

    @Override
    public CompletionStage<Reply> handle(AltoRequest request) {
        Answers q = current;
        Dialect dialect = Dialect.ofPath(request.path());
        if (q == null) {
            return done(Reply.error(AltoError.serverCondition("the origin is starting; try again", 503), dialect));
        }
        boolean read = request.method().equals("GET") || request.method().equals("HEAD");
        if (read) {
            Representation r = q.signed(request.target());
            if (r != null) {
                return done(Reply.ok(r, CacheStatus.ORIGIN));
            }
            r = q.computedGet(request.target());
            if (r != null) {
                return done(Reply.ok(r, CacheStatus.LOCAL));
            }
        }
        Route route = Route.of(request.path(), q);
        if (route == null) {
            return done(Reply.error(AltoError.invalidValue("uri", request.path(), "no such resource")
                    .withStatus(404), dialect));
        }
        if (read ? !route.get() : !route.post()) {
            return done(new Reply.Error(AltoError.invalidValue("method", request.method(),
                    request.path() + " accepts " + route.allowed() + " only").withStatus(405), dialect, route.allowHeader()));
        }
        return compute(request.clientWait().unlessGone(() -> read ? q.answerGet(route, request)
                : q.answer(route, route.networkMapOf(request.path()), request)), dialect);
    }

    /**
     * What a resource accepts, for the front end's 405 to PUT, DELETE and the like: the route's
     * methods; GET and HEAD for any other signed document; null (404) for no resource. While
     * starting there is no catalog to tell, so every method the front end passes on.
     */
    @Override
    public String allow(String path) {
        Answers q = current;
        if (q == null) {
            return ALL_METHODS;
        }
        Route route = Route.of(path, q);
        if (route != null) {
            return route.allowHeader();
        }
        return q.signed(path) != null ? Route.DIRECTORY.allowHeader() : null;
    }

    /** {@code work} on the query pool; skipped (failing with {@code ClientWait.Gone}) if the client leaves before its turn. */
    private CompletionStage<Reply> compute(Supplier<Representation> work, Dialect dialect) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return Reply.ok(work.get(), CacheStatus.LOCAL);
                } catch (AltoException e) {
                    return Reply.error(e.error(), dialect);
                }
            }, executor);
        } catch (RejectedExecutionException e) {
            return done(Reply.error(AltoError.serverCondition("the origin is overloaded or stopping; try again", 503), dialect));
        }
    }

    private static CompletionStage<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }

}

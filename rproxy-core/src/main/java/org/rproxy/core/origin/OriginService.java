package org.rproxy.core.origin;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;

/**
 * The origin's answer to every request. A GET for a full document is a lookup in the current
 * snapshot of signed representations, answered at once on the event loop. Everything else —
 * queries, whose bodies must be parsed and whose answers computed — is routed to
 * {@link OriginQueries} on the query executor; the event loop never parses or computes.
 *
 * <p>Errors are returned as {@link Reply.Error} in the dialect of the path; nothing a client
 * sends makes this class throw.
 */
final class OriginService implements AltoService {
    private final Executor executor;
    private final Clock clock;
    private final QueryLimits limits;
    private final XmlCodec xml = new XmlCodec();
    private volatile OriginQueries current;

    OriginService(Executor executor, Clock clock, QueryLimits limits) {
        this.executor = requireNonNull(executor, "executor");
        this.clock = requireNonNull(clock, "clock");
        this.limits = requireNonNull(limits, "limits");
    }

    /** Swaps in a new catalog (or a re-signed one); requests already running finish on the old one. */
    void install(Catalog catalog, Map<String, Representation> signed, Duration maxAge) {
        current = new OriginQueries(catalog.maps(), new OriginHoldings(catalog, signed), maxAge, clock, xml,
                limits);
    }

    @Override
    public CompletionStage<Reply> handle(AltoRequest request) {
        OriginQueries q = current;
        Dialect dialect = Origin.dialectOf(request.path());
        if (q == null) {
            return done(Reply.error(AltoError.serverCondition("the origin is starting; try again", 503), dialect));
        }
        boolean read = request.method().equals("GET") || request.method().equals("HEAD");
        if (read) {
            Representation r = q.signed(request.rawTarget());
            if (r == null) {
                r = q.computedGet(request.rawTarget());
            }
            if (r != null) {
                return done(Reply.ok(r));
            }
        }
        Route route = Route.of(request.path(), q);
        if (route == null) {
            return done(Reply.error(AltoError.invalidValue("uri", request.path(), "no such resource")
                    .withStatus(404), dialect));
        }
        if (read ? !route.get : !route.post) {
            return done(new Reply.Error(AltoError.invalidValue("method", request.method(),
                    request.path() + " accepts " + route.allowed() + " only").withStatus(405), dialect, route.allowHeader()));
        }
        return compute(() -> read ? q.answerGet(route, request) : q.answer(route, route.networkMapOf(request.path()), request),
                dialect);
    }

    /**
     * What a resource accepts, for the front end's 405 to PUT, DELETE and the like: the route's
     * methods; GET and HEAD for any other signed document; null (404) for no resource. While
     * starting there is no catalog to tell, so every method the front end passes on.
     */
    @Override
    public String allow(String path) {
        OriginQueries q = current;
        if (q == null) {
            return ALL_METHODS;
        }
        Route route = Route.of(path, q);
        if (route != null) {
            return route.allowHeader();
        }
        return q.signed(path) != null ? Route.DIRECTORY.allowHeader() : null;
    }

    private CompletionStage<Reply> compute(Supplier<Representation> work, Dialect dialect) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return Reply.ok(work.get());
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

    /** The query resources and the full documents that may also take query parameters. */
    enum Route {
        DIRECTORY(true, false), CAPABILITY(true, false), NETWORK_MAP(true, false), COST_MAP(true, false),
        XML_PIDS(true, false), XML_LOOKUP(true, true), XML_COST_MAP(true, false), XML_COST_ROW(true, false),
        XML_RANKING(false, true), FILTERED_NETWORK_MAP(false, true), FILTERED_COST_MAP(false, true),
        ENDPOINT_PROP(false, true), ENDPOINT_COST(false, true);

        final boolean get;
        final boolean post;

        Route(boolean get, boolean post) {
            this.get = get;
            this.post = post;
        }

        String allowHeader() {
            return get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : "POST";
        }

        String allowed() {
            return get && post ? "GET, HEAD and POST" : get ? "GET and HEAD" : "POST";
        }

        /** The network map a filtered route's path names ({@code /networkmap/<id>/filtered}), else null. */
        String networkMapOf(String path) {
            return this == FILTERED_NETWORK_MAP || this == FILTERED_COST_MAP ? path.split("/", -1)[2] : null;
        }

        /** The route of {@code path}, or null (404). */
        static Route of(String path, OriginQueries q) {
            switch (path) {
                case Catalog.DIRECTORY_PATH: return DIRECTORY;
                case Catalog.CAPABILITY_PATH: return CAPABILITY;
                case Catalog.XML_NETWORK_MAP_PATH: return XML_PIDS;
                case Catalog.XML_LOOKUP_PATH: return XML_LOOKUP;
                case Catalog.XML_COST_MAP_PATH: return XML_COST_MAP;
                case Catalog.XML_COST_ROW_PATH: return XML_COST_ROW;
                case Catalog.XML_RANKING_PATH: return XML_RANKING;
                case Catalog.ENDPOINT_PROP_PATH: return ENDPOINT_PROP;
                case Catalog.ENDPOINT_COST_PATH: return ENDPOINT_COST;
                default: break;
            }
            String[] seg = path.split("/", -1);
            if (seg.length == 3 && seg[0].isEmpty() && q.hasNetworkMap(seg[2]) && seg[1].equals("networkmap")) {
                return NETWORK_MAP;
            }
            if (seg.length == 3 && seg[0].isEmpty() && seg[1].equals("costmap") && q.hasCostMap(seg[2])) {
                return COST_MAP;
            }
            if (seg.length == 4 && seg[0].isEmpty() && seg[3].equals("filtered") && q.hasNetworkMap(seg[2])) {
                if (seg[1].equals("networkmap")) {
                    return FILTERED_NETWORK_MAP;
                }
                if (seg[1].equals("costmap")) {
                    return FILTERED_COST_MAP;
                }
            }
            return null;
        }
    }
}

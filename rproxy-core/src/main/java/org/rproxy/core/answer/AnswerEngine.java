package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.query.EndpointCostLookup;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Query answers computed by a proxy from the signed maps it holds, exactly as the
 * origin computes them: the same body bytes, media type, {@code Alto-Derived-From} (naming the
 * held signed documents and their entity tags), max-age rule and RFC 7285 errors, because the
 * origin's own query code runs on the held maps. Such an answer is not origin-signed, and it is
 * as old as the oldest held copy it comes from: it goes out with that copy's {@code Age}.
 *
 * <p>A query is answered here only when its route is certain: a query resource of the held
 * directory (filtered network and cost maps, endpoint properties, endpoint costs), or a seed
 * dialect path while a seed document is held (an XML answer names XML documents, used only
 * while they are the rendering of the held maps);
 * and only when every map the origin would consult is held, verified, unexpired and of the
 * version the others depend on. Otherwise {@link #answer} returns null and the caller forwards
 * the query.
 *
 * <p>One instance per version of the held documents; immutable apart from a bounded cache of
 * computed GET answers, and safe for any number of threads. {@link #build} parses and indexes,
 * and {@link #answer} computes: run them on worker threads, never on an event loop;
 * {@link #routes} and {@link #cached} are map lookups.
 */
public final class AnswerEngine {
    /** Where the directory is held: it says which queries may be computed here. */
    public static final String DIRECTORY = ResourcePaths.DIRECTORY_PATH;

    private static final Logger LOG = LoggerFactory.getLogger(AnswerEngine.class);
    private static final AnswerEngine NONE = new AnswerEngine(ReceivedDocuments.NONE, null, Map.of(), Clock.systemUTC());


    private final ReceivedDocuments docs;
    private final Answers queries;
    private final Map<String, Target> routes;
    private final Clock clock;

    private AnswerEngine(ReceivedDocuments docs, Answers queries, Map<String, Target> routes, Clock clock) {
        this.docs = docs;
        this.queries = queries;
        this.routes = Map.copyOf(routes);
        this.clock = clock;
    }

    /** Answers nothing. */
    public static AnswerEngine none() {
        return NONE;
    }

    /** As {@link #build(Function, AnswerEngine, Clock, List)} with no header fields added. */
    public static AnswerEngine build(Function<String, Representation> held, AnswerEngine previous, Clock clock) {
        return build(held, previous, clock, List.of());
    }

    /**
     * Reads the documents held now.
     *
     * @param held     the signed, verified, unexpired representation held for a GET target, or null
     * @param previous the set this one replaces; documents whose entity tag is unchanged are not parsed again
     * @param added    header fields added to every computed answer (the proxy's {@code Via})
     */
    public static AnswerEngine build(Function<String, Representation> held, AnswerEngine previous, Clock clock,
                                 List<HeaderField> added) {
        return build(held, previous, clock, added, QueryLimits.DEFAULTS);
    }

    /**
     * As {@link #build(Function, AnswerEngine, Clock, List)}, answering queries within {@code limits},
     * the held copies of no age (answers go out without {@code Age}): a client's.
     */
    public static AnswerEngine build(Function<String, Representation> held, AnswerEngine previous, Clock clock,
                                 List<HeaderField> added, QueryLimits limits) {
        return build(held, target -> null, previous, clock, added, limits);
    }

    /**
     * As {@link #build(Function, AnswerEngine, Clock, List)}, answering queries within {@code limits}.
     *
     * @param validated when the copy {@code held} gives for a GET target was generated or last
     *                  validated upstream, as this node reckons it (its response time less its
     *                  corrected initial age, RFC 9111 §4.2.3: where the {@code Age} it goes out
     *                  with counts from), or null for a copy of no age. An answer is as old as its
     *                  oldest source copy and goes out with that {@code Age} ({@link ComputedAnswer}).
     */
    public static AnswerEngine build(Function<String, Representation> held, Function<String, Instant> validated,
                                 AnswerEngine previous, Clock clock, List<HeaderField> added, QueryLimits limits) {
        requireNonNull(clock, "clock");
        requireNonNull(limits, "limits");
        XmlCodec xml = new XmlCodec();
        ReceivedDocuments docs = ReceivedDocuments.read(held, validated, requireNonNull(previous, "previous").docs, xml);
        MapSet maps = docs.maps();
        if (maps == null) {
            return new AnswerEngine(docs, null, Map.of(), clock);
        }
        try {
            long maxAge = docs.refs.values().stream().mapToLong(ReceivedDocuments.Ref::maxAgeSeconds).min().orElse(0);
            Answers q = new Answers(maps, new ReceivedHoldings(docs, clock, added), Duration.ofSeconds(maxAge), clock,
                    xml, limits);
            return new AnswerEngine(docs, q, Target.routes(docs), clock);
        } catch (RuntimeException e) {
            LOG.warn("the held maps do not fit together; queries are forwarded: {}", e.getMessage());
            return new AnswerEngine(docs, null, Map.of(), clock);
        }
    }

    /**
     * True when {@code request} is a query rather than a request for a document: a POST, or a GET
     * or HEAD with parameters on one of the seed's query paths (its {@code /cost/map?type=} is a
     * signed document). Needs no held maps.
     */
    public static boolean isQuery(AltoRequest request) {
        return request.method().equals("POST") || !request.query().isEmpty() && isQueryPath(request.path());
    }

    /** True when a GET of {@code target} (origin form) is a query, answered unsigned; any other names a document. */
    public static boolean isQueryTarget(String target) {
        int q = target.indexOf('?');
        return q >= 0 && q < target.length() - 1 && isQueryPath(target.substring(0, q));
    }

    private static boolean isQueryPath(String p) {
        return p.equals(ResourcePaths.XML_NETWORK_MAP_PATH) || p.equals(ResourcePaths.XML_LOOKUP_PATH)
                || p.equals(ResourcePaths.XML_COST_ROW_PATH);
    }

    /** True when {@code request} is a query this set may answer (path, method and form); a lookup. */
    public boolean routes(AltoRequest request) {
        Target t = routes.get(request.path());
        if (t == null || queries == null) {
            return false;
        }
        return request.method().equals("POST") ? t.route().post() : t.route().get() && !request.query().isEmpty();
    }

    /**
     * The methods the query resource at {@code path} accepts, as an {@code Allow} value, or null
     * when this set answers no query there; a lookup.
     */
    public String allow(String path) {
        Target t = routes.get(path);
        return t == null ? null : t.route().allowHeader();
    }

    /** A GET answer already computed for this version and still valid, or null; a lookup. */
    public Reply cached(AltoRequest request) {
        if (queries == null || request.method().equals("POST")) {
            return null;
        }
        Representation r = queries.computedGet(request.target());
        return r != null && clock.instant().isBefore(r.expires()) ? Reply.ok(r, CacheStatus.LOCAL) : null;
    }

    /**
     * The answer to {@code request}: a computed representation, or the RFC 7285 error the origin
     * would give; null when the query must be forwarded instead.
     */
    public Reply answer(AltoRequest request) {
        return answer(request, target -> { });
    }

    /**
     * As {@link #answer(AltoRequest)}; when the query is forwarded because a signed document it
     * needs is not held (or has expired), tells {@code missing} that document's GET target, so the
     * caller can fetch it and answer the next such query itself.
     */
    public Reply answer(AltoRequest request, Consumer<String> missing) {
        requireNonNull(missing, "missing");
        if (!routes(request)) {
            return null;
        }
        Target t = routes.get(request.path());
        boolean read = !request.method().equals("POST");
        try {
            if (read && queries.computedGet(request.target()) != null) {
                return cached(request); // null once past its sources' validity: they are renewed upstream
            }
            return Reply.ok(read ? queries.answerGet(t.route(), request) : queries.answer(t.route(), t.netmap(), request),
                    CacheStatus.LOCAL);
        } catch (AltoException e) {
            return Reply.error(e.error(), Dialect.ofPath(request.path()));
        } catch (NotHeldException e) {
            if (e.target() != null) {
                missing.accept(e.target());
            }
            return null;
        } catch (RuntimeException e) {
            LOG.warn("computing {} {} from the held maps failed; forwarding it", request.method(), request.target(), e);
            return null;
        }
    }

    /**
     * True when a new version of the document at {@code target} may change this set: the
     * directory, a full map it lists, or a seed dialect map document. A lookup.
     */
    public boolean reads(String target) {
        if (target.equals(DIRECTORY) || target.equals(ResourcePaths.XML_NETWORK_MAP_PATH)
                || target.startsWith(ResourcePaths.XML_COST_MAP_PATH + "?type=")) {
            return true;
        }
        return docs.directory != null && docs.directory.resources().values().stream()
                .anyMatch(r -> r.accepts() == null && r.uri().equals(target));
    }

    /**
     * Request targets of the full maps (network and cost maps) the held directory lists, and of
     * their seed dialect renderings ({@code /prop/pid}, {@code /cost/map?type=METRIC} for the
     * default network map): what a proxy must hold to answer every query the directory offers,
     * in both dialects. An upstream that does not serve the seed dialect answers 404 for those,
     * and its XML queries are forwarded. Empty without a directory.
     */
    public Set<String> listedMaps() {
        return docs.directory == null ? Set.of() : ListedMaps.of(docs.directory);
    }

    /** The maps answers are computed from, or null when the default network map is not held. */
    public MapSet maps() {
        return docs.maps();
    }

    /**
     * The lookup the origin answers endpoint costs and rankings with, built on the held default
     * network map and its cost maps; null when the held maps answer no query.
     */
    public EndpointCostLookup endpointCosts() {
        return queries == null ? null : queries.endpointCosts();
    }

    /**
     * Request targets of held maps that do not fit the others and are the stale side of the pair:
     * a cost map naming an older version of the network map held, or a network map older than the
     * one a held cost map names (see {@link ReceivedDocuments#behind}). Such a cost map is left out
     * of the answers; a proxy asks for the stale map again until the maps fit. Empty when they fit.
     */
    public Set<String> behind() {
        return docs.behind;
    }

    /** Request targets of the signed documents answers may name (held, of matching versions). */
    public Set<String> sources() {
        return docs.refs.keySet();
    }
}

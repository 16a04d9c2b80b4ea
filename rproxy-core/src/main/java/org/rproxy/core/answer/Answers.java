package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.core.query.CostMapChoice;
import org.rproxy.core.query.CostMapFilter;
import org.rproxy.core.query.CostMapFiltering;
import org.rproxy.core.query.EndpointCostAnswer;
import org.rproxy.core.query.EndpointCostLookup;
import org.rproxy.core.query.EndpointCostQuery;
import org.rproxy.core.query.EndpointPropertyLookup;
import org.rproxy.core.query.EndpointPropertyQuery;
import org.rproxy.core.query.NetworkMapFilter;
import org.rproxy.core.query.NetworkMapFiltering;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.store.Representation;

/**
 * One version of the origin's data with everything needed to answer queries: the signed
 * representations, the lookup structures built once per version, and the computations of each
 * RFC 7285 query resource (the seed dialect's are in {@link XmlAnswers}). Immutable; runs on the
 * query executor, never on an event loop.
 */
public final class Answers {
    /** Bytes of computed GET answers kept per version. */
    private static final long COMPUTED_CACHE_BYTES = 64L * 1024 * 1024;

    private final MapSet maps;
    private final Holdings holdings;
    private final Duration maxAge;
    private final Clock clock;
    private final XmlCodec xml;
    private final QueryLimits limits;
    private final PrefixIndex defaultIndex;
    private final EndpointPropertyLookup properties;
    private final EndpointCostLookup endpointCosts;
    private final XmlAnswers xmlQueries;
    /** Made at the first answer kept (see {@link ComputedGets}); read without a lock, written under this. */
    private volatile ComputedGets computedGets;

    /**
     * @param maps     the parsed maps answers are computed from
     * @param holdings the signed documents they came from, and what the publisher offers
     * @param maxAge   the freshness lifetime of a computed answer
     * @param limits   how much work one query may ask for
     */
    public Answers(MapSet maps, Holdings holdings, Duration maxAge, Clock clock, XmlCodec xml, QueryLimits limits) {
        this.maps = requireNonNull(maps, "maps");
        this.holdings = requireNonNull(holdings, "holdings");
        this.maxAge = requireNonNull(maxAge, "maxAge");
        this.clock = requireNonNull(clock, "clock");
        this.xml = requireNonNull(xml, "xml");
        this.limits = requireNonNull(limits, "limits");
        NetworkMap def = maps.defaultMap();
        this.defaultIndex = def.index();
        this.properties = new EndpointPropertyLookup(maps.networkMaps().values(), mergedStatics(maps));
        this.endpointCosts = new EndpointCostLookup(def, costMapsOn(def.vtag().resourceId()));
        this.xmlQueries = new XmlAnswers(this, xml);
    }

    MapSet maps() {
        return maps;
    }

    Holdings holdings() {
        return holdings;
    }

    PrefixIndex defaultIndex() {
        return defaultIndex;
    }

    EndpointCostLookup endpointCosts() {
        return endpointCosts;
    }

    public Representation signed(String target) {
        return holdings.document(target);
    }

    /**
     * A computed answer to a GET already made for this version, or null. Rows, lookups and
     * reverse lookups are asked again and again by a crowd; they are computed once per version
     * (this object lives exactly as long as the version and its signatures). As it goes out
     * now: with the {@code Age} of now when it has one ({@link KeptAnswer}).
     */
    public Representation computedGet(String target) {
        ComputedGets kept = computedGets;
        KeptAnswer k = kept == null ? null : kept.get(target);
        return k == null ? null : k.at(clock.instant());
    }

    /** The answer to a GET, from the per-version cache or computed and remembered. */
    public Representation answerGet(Route route, AltoRequest req) {
        KeptAnswer k = computedGets().get(req.target());
        if (k != null) {
            return k.at(clock.instant());
        }
        Representation r = answer(route, null, req);
        computedGets().put(req.target(), new KeptAnswer(r));
        return r;
    }

    /** The answers kept, made now if none were yet (on the query pool, never on an event loop). */
    private ComputedGets computedGets() {
        ComputedGets kept = computedGets;
        if (kept == null) {
            synchronized (this) {
                kept = computedGets;
                if (kept == null) {
                    kept = new ComputedGets(COMPUTED_CACHE_BYTES);
                    computedGets = kept;
                }
            }
        }
        return kept;
    }

    public boolean hasNetworkMap(String id) {
        return maps.networkMaps().containsKey(id);
    }

    public boolean hasCostMap(String id) {
        return maps.costMaps().containsKey(id);
    }

    /**
     * Computes the answer of {@code route}; throws {@link AltoException} for the client's mistakes
     * and {@link NotHeldException} when a document it needs is not held.
     *
     * @param netmap the network map a filtered route cuts from, else ignored (may be null)
     */
    public Representation answer(Route route, String netmap, AltoRequest req) {
        switch (route) {
            case XML_PIDS: return xmlQueries.reverseLookup(req);
            case XML_LOOKUP: return xmlQueries.endpointLookup(req);
            case XML_COST_MAP: return xmlQueries.costMap(req);
            case XML_COST_ROW: return xmlQueries.costRow(req);
            case XML_RANKING: return xmlQueries.ranking(req);
            case FILTERED_NETWORK_MAP: return filteredNetworkMap(netmap, req);
            case FILTERED_COST_MAP: return filteredCostMap(netmap, req);
            case ENDPOINT_PROP: return endpointProperties(req);
            case ENDPOINT_COST: return endpointCost(req);
            default: throw QueryParams.unsupported(req);
        }
    }

    private Representation filteredNetworkMap(String id, AltoRequest req) {
        byte[] body = QueryParams.json(req, MediaTypes.NETWORK_MAP_FILTER);
        NetworkMap map = maps.networkMaps().get(id);
        byte[] out = AltoJson.canonicalNetworkMap(map.vtag(), NetworkMapFiltering.apply(map, NetworkMapFilter.fromJson(body)));
        return computed(MediaTypes.NETWORK_MAP, Bytes.wrap(out), source(id, holdings.networkMapPath(id)));
    }

    private Representation filteredCostMap(String netmap, AltoRequest req) {
        CostMapFilter filter = CostMapFilter.fromJson(QueryParams.json(req, MediaTypes.COST_MAP_FILTER));
        holdings.requireCostMaps(netmap, filter.costType().metric());
        // the map CostMapChoice picks, as endpoint costs and rankings do; none is refused naming
        // the member at fault, the metric or the mode (RFC 7285 §8.5.2)
        List<CostMap> on = costMapsOn(netmap);
        CostMap map = CostMapChoice.of(on, filter.costType()).orElseThrow(() -> CostMapChoice.refusal(on,
                filter.costType(), "cost-type/cost-metric", "cost-type/cost-mode", netmap));
        CostMap filtered = CostMapFiltering.apply(map, filter);
        // RFC 7285 §11.3.2.6: the answer's meta is the cost map's (dependent-vtags, cost-type); a vtag
        // (§10.3) names a version of a resource, and this answer is no version of the map it was cut from
        return computed(MediaTypes.COST_MAP, Bytes.wrap(AltoJson.canonicalCostMap(filtered, false)),
                source(map.vtag().resourceId(), holdings.costMapPath(map.vtag().resourceId())));
    }

    private Representation endpointProperties(AltoRequest req) {
        EndpointPropertyQuery q = EndpointPropertyQuery.fromJson(QueryParams.json(req, MediaTypes.ENDPOINT_PROP_PARAMS));
        q.properties().forEach(holdings::requireProperty);
        byte[] out = properties.lookup(q).toCanonicalJson();
        List<ComputedAnswer.Source> sources = new ArrayList<>();
        maps.networkMaps().keySet().forEach(id -> {
            if (q.properties().contains(id + ".pid")) {
                sources.add(source(id, holdings.networkMapPath(id)));
            }
        });
        return computed(MediaTypes.ENDPOINT_PROP, Bytes.wrap(out), sources.toArray(new ComputedAnswer.Source[0]));
    }

    private Representation endpointCost(AltoRequest req) {
        EndpointCostQuery q = EndpointCostQuery.fromJson(QueryParams.json(req, MediaTypes.ENDPOINT_COST_PARAMS), null);
        limits.check(q);
        String def = maps.defaultNetworkMap();
        holdings.requireCostMaps(def, q.costType().metric());
        EndpointCostAnswer answer = endpointCosts.lookup(q);
        // name the cost map the answer was computed from, as its dependent-vtags do
        String costMap = answer.dependentVtags().get(1).resourceId();
        return computed(MediaTypes.ENDPOINT_COST, Bytes.wrap(answer.toCanonicalJson()),
                source(def, holdings.networkMapPath(def)),
                source(costMap, holdings.costMapPath(costMap)));
    }

    /** The cost maps that depend on network map {@code netmap}. */
    private List<CostMap> costMapsOn(String netmap) {
        List<CostMap> out = new ArrayList<>();
        maps.costMaps().values().forEach(c -> {
            if (c.dependentVtag().resourceId().equals(netmap)) {
                out.add(c);
            }
        });
        return out;
    }

    Representation computed(String type, Bytes body, ComputedAnswer.Source... sources) {
        return ComputedAnswer.of(type, body, List.of(sources), maxAge, clock.instant(), holdings.added());
    }

    ComputedAnswer.Source source(String id, String path) {
        return holdings.source(id, path);
    }

    private static EndpointProperties mergedStatics(MapSet maps) {
        if (maps.endpointProperties().isEmpty()) {
            return null;
        }
        if (maps.endpointProperties().size() == 1) {
            return maps.endpointProperties().values().iterator().next();
        }
        throw new IllegalArgumentException("several endpoint-properties documents " + maps.endpointProperties().keySet()
                + "; merge them into one");
    }
}

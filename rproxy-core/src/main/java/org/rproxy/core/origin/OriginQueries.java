package org.rproxy.core.origin;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.CostQuery;
import org.rproxy.core.codec.xml.EndpointCostRow;
import org.rproxy.core.codec.xml.EndpointPid;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.core.query.CostMapFilter;
import org.rproxy.core.query.CostMapFiltering;
import org.rproxy.core.query.EndpointCostLookup;
import org.rproxy.core.query.EndpointCostQuery;
import org.rproxy.core.query.EndpointPropertyLookup;
import org.rproxy.core.query.EndpointPropertyQuery;
import org.rproxy.core.query.NetworkMapFilter;
import org.rproxy.core.query.NetworkMapFiltering;
import org.rproxy.core.query.RankedEndpoint;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.store.Representation;

/**
 * One version of the origin's data with everything needed to answer queries: the signed
 * representations, the lookup structures built once per version, and the computations of each
 * query resource. Immutable; runs on the query executor, never on an event loop.
 */
final class OriginQueries {
    private static final int MAX_LOOKUP_ENDPOINTS = XmlCodec.MAX_ENDPOINTS;

    private final Catalog catalog;
    private final Map<String, Representation> signed;
    private final Duration maxAge;
    private final Clock clock;
    private final XmlCodec xml;
    private final PrefixIndex defaultIndex;
    private final EndpointPropertyLookup properties;
    private final EndpointCostLookup endpointCosts;

    OriginQueries(Catalog catalog, Map<String, Representation> signed, Duration maxAge, Clock clock, XmlCodec xml) {
        this.catalog = requireNonNull(catalog, "catalog");
        this.signed = Map.copyOf(signed);
        this.maxAge = requireNonNull(maxAge, "maxAge");
        this.clock = requireNonNull(clock, "clock");
        this.xml = requireNonNull(xml, "xml");
        MapSet maps = catalog.maps();
        NetworkMap def = maps.defaultMap();
        this.defaultIndex = def.index();
        this.properties = new EndpointPropertyLookup(maps.networkMaps().values(), mergedStatics(maps));
        List<CostMap> defCosts = new ArrayList<>();
        maps.costMaps().values().forEach(c -> {
            if (c.dependentVtag().resourceId().equals(def.vtag().resourceId())) {
                defCosts.add(c);
            }
        });
        this.endpointCosts = new EndpointCostLookup(def, defCosts);
    }

    Representation signed(String target) {
        return signed.get(target);
    }

    boolean hasNetworkMap(String id) {
        return catalog.maps().networkMaps().containsKey(id);
    }

    boolean hasCostMap(String id) {
        return catalog.maps().costMaps().containsKey(id);
    }

    /** Computes the answer of {@code route}; throws {@link AltoException} for the client's mistakes. */
    Representation answer(OriginService.Route route, AltoRequest req) {
        switch (route) {
            case XML_PIDS: return reverseLookup(req);
            case XML_LOOKUP: return endpointLookup(req);
            case XML_COST_MAP: return xmlCostMap(req);
            case XML_COST_ROW: return costRow(req);
            case XML_RANKING: return ranking(req);
            case FILTERED_NETWORK_MAP: return filteredNetworkMap(req);
            case FILTERED_COST_MAP: return filteredCostMap(req);
            case ENDPOINT_PROP: return endpointProperties(req);
            case ENDPOINT_COST: return endpointCost(req);
            default: throw unsupportedParameter(req);
        }
    }

    // ---- XML dialect -------------------------------------------------------------------------

    /** {@code GET /prop/pid?pid=PID1&pid=PID2}: the seed's reverse network map query. */
    private Representation reverseLookup(AltoRequest req) {
        onlyParams(req, "pid");
        List<String> pids = req.query().get("pid");
        NetworkMap def = catalog.maps().defaultMap();
        Bytes body = xml.renderPids(def, pids);
        return computed(MediaTypes.XML, body, source(def.vtag().resourceId(), Catalog.XML_NETWORK_MAP_PATH));
    }

    /** {@code GET /prop/pid/lookup?endpoint=ipv4:..} or {@code POST} with an endpoint list. */
    private Representation endpointLookup(AltoRequest req) {
        List<IpAddress> endpoints = new ArrayList<>();
        if (req.method().equals("POST")) {
            requireXml(req);
            onlyParams(req);
            endpoints.addAll(xml.parseEndpointLookup(req.body()));
        } else {
            onlyParams(req, "endpoint");
            List<String> given = req.query().get("endpoint");
            if (given.size() > MAX_LOOKUP_ENDPOINTS) {
                throw new AltoException(AltoError.invalidValue("endpoint", null, "at most " + MAX_LOOKUP_ENDPOINTS + " endpoints"));
            }
            for (String e : given) {
                endpoints.add(IpAddress.parseTyped(e, "endpoint"));
            }
        }
        List<EndpointPid> answer = new ArrayList<>(endpoints.size());
        endpoints.forEach(e -> answer.add(new EndpointPid(e, defaultIndex.pidOf(e).orElse(null))));
        NetworkMap def = catalog.maps().defaultMap();
        return computed(MediaTypes.XML, xml.renderEndpointPids(answer),
                source(def.vtag().resourceId(), Catalog.XML_NETWORK_MAP_PATH));
    }

    /** {@code GET /cost/map?type=..} that did not match a published document. */
    private Representation xmlCostMap(AltoRequest req) {
        onlyParams(req, "type");
        costMapOfType(req.param("type"));
        throw unsupportedParameter(req);
    }

    /** {@code GET /cost/row?srcpid=PID1[&type=..]}: one row of the seed's cost map. */
    private Representation costRow(AltoRequest req) {
        onlyParams(req, "srcpid", "type");
        String src = req.param("srcpid");
        if (src == null) {
            throw new AltoException(AltoError.missingField("srcpid"));
        }
        if (!catalog.maps().defaultMap().hasPid(src)) {
            throw new AltoException(AltoError.invalidValue("srcpid", src, "no PID " + src + " in the network map"));
        }
        CostMap map = costMapOfType(req.param("type"));
        return computed(MediaTypes.XML, xml.renderCostRows(map, List.of(src)),
                source(map.vtag().resourceId(), xmlCostMapPath(map)));
    }

    /** {@code POST /cost/m?mode=ordinal|numerical}: rank destination endpoints for a source endpoint. */
    private Representation ranking(AltoRequest req) {
        onlyParams(req, "mode");
        String m = req.param("mode");
        if (m == null) {
            throw new AltoException(AltoError.missingField("mode"));
        }
        CostMode mode = CostMode.parse(m, "mode");
        requireXml(req);
        CostQuery q = xml.parseCostQuery(req.body());
        CostMap map = costMapOfType(q.metric());
        CostType type = new CostType(q.metric(), mode);
        List<RankedEndpoint> ranked = endpointCosts.rank(q.source(), q.destinations(), type);
        List<EndpointCostRow.Entry> entries = new ArrayList<>(ranked.size());
        ranked.forEach(r -> entries.add(new EndpointCostRow.Entry(r.endpoint(), mode == CostMode.ORDINAL ? r.rank() : r.cost())));
        NetworkMap def = catalog.maps().defaultMap();
        return computed(MediaTypes.XML, xml.renderEndpointCosts(new EndpointCostRow(type, q.source(), entries)),
                source(def.vtag().resourceId(), Catalog.XML_NETWORK_MAP_PATH),
                source(map.vtag().resourceId(), xmlCostMapPath(map)));
    }

    private CostMap costMapOfType(String metric) {
        String m = metric == null ? Catalog.DEFAULT_METRIC : metric;
        return catalog.maps().costMap(catalog.maps().defaultNetworkMap(), m).orElseThrow(() ->
                new AltoException(AltoError.invalidValue("type", m, "no cost map of type " + m
                        + " (have: " + catalog.metrics(catalog.maps().defaultNetworkMap()) + ")")));
    }

    private static String xmlCostMapPath(CostMap map) {
        return Catalog.XML_COST_MAP_PATH + "?type=" + map.costType().metric();
    }

    // ---- RFC 7285 JSON -----------------------------------------------------------------------

    private Representation filteredNetworkMap(AltoRequest req) {
        String id = segment(req.path(), 2);
        JsonNode body = jsonBody(req, MediaTypes.NETWORK_MAP_FILTER);
        NetworkMap map = catalog.maps().networkMaps().get(id);
        ObjectNode out = AltoJson.writeNetworkMap(map.vtag(), NetworkMapFiltering.apply(map, NetworkMapFilter.fromJson(body)));
        return computed(MediaTypes.NETWORK_MAP, Bytes.wrap(Jcs.canonicalize(out)), source(id, Catalog.networkMapPath(id)));
    }

    private Representation filteredCostMap(AltoRequest req) {
        String netmap = segment(req.path(), 2);
        CostMapFilter filter = CostMapFilter.fromJson(jsonBody(req, MediaTypes.COST_MAP_FILTER));
        CostMap map = catalog.maps().costMap(netmap, filter.costType().metric()).orElseThrow(() ->
                new AltoException(AltoError.invalidValue("cost-type", filter.costType().metric(),
                        "no cost map of metric " + filter.costType().metric() + " for network map " + netmap)));
        CostMap filtered = CostMapFiltering.apply(map, filter);
        return computed(MediaTypes.COST_MAP, Bytes.wrap(Jcs.canonicalize(AltoJson.writeCostMap(filtered))),
                source(map.vtag().resourceId(), Catalog.costMapPath(map.vtag().resourceId())));
    }

    private Representation endpointProperties(AltoRequest req) {
        EndpointPropertyQuery q = EndpointPropertyQuery.fromJson(jsonBody(req, MediaTypes.ENDPOINT_PROP_PARAMS));
        ObjectNode out = properties.lookup(q).toJson();
        List<Computed.Source> sources = new ArrayList<>();
        catalog.maps().networkMaps().keySet().forEach(id -> {
            if (q.properties().contains(id + ".pid")) {
                sources.add(source(id, Catalog.networkMapPath(id)));
            }
        });
        return computed(MediaTypes.ENDPOINT_PROP, Bytes.wrap(Jcs.canonicalize(out)), sources.toArray(new Computed.Source[0]));
    }

    private Representation endpointCost(AltoRequest req) {
        EndpointCostQuery q = EndpointCostQuery.fromJson(jsonBody(req, MediaTypes.ENDPOINT_COST_PARAMS), null);
        ObjectNode out = endpointCosts.lookup(q).toJson();
        String def = catalog.maps().defaultNetworkMap();
        CostMap map = catalog.maps().costMap(def, q.costType().metric()).orElseThrow();
        return computed(MediaTypes.ENDPOINT_COST, Bytes.wrap(Jcs.canonicalize(out)),
                source(def, Catalog.networkMapPath(def)),
                source(map.vtag().resourceId(), Catalog.costMapPath(map.vtag().resourceId())));
    }

    // ---- helpers -----------------------------------------------------------------------------

    private Representation computed(String type, Bytes body, Computed.Source... sources) {
        return Computed.of(type, body, List.of(sources), maxAge, clock.instant());
    }

    private Computed.Source source(String id, String path) {
        Representation r = signed.get(path);
        if (r == null) {
            throw new IllegalStateException("no signed document at " + path);
        }
        return new Computed.Source(id, path, r);
    }

    private static JsonNode jsonBody(AltoRequest req, String accepts) {
        onlyParams(req);
        if (!accepts.equals(req.contentType())) {
            throw new AltoException(AltoError.invalidValue("content-type", req.contentType(),
                    "expected " + accepts).withStatus(415));
        }
        return AltoJson.parse(req.body().unsafeArray());
    }

    private static void requireXml(AltoRequest req) {
        String t = req.contentType();
        if (!MediaTypes.XML.equals(t) && !"text/xml".equals(t)) {
            throw new AltoException(AltoError.invalidValue("content-type", t, "expected application/xml").withStatus(415));
        }
    }

    /** Refuses query parameters other than {@code allowed}, naming the first one. */
    private static void onlyParams(AltoRequest req, String... allowed) {
        for (String name : req.query().keySet()) {
            if (!List.of(allowed).contains(name)) {
                throw new AltoException(AltoError.invalidValue(name, req.param(name),
                        "unsupported query parameter " + name + (allowed.length == 0 ? "" : " (accepted: " + String.join(", ", allowed) + ")")));
            }
        }
        if (allowed.length == 1 && !req.query().containsKey(allowed[0]) && !"POST".equals(req.method())) {
            throw new AltoException(AltoError.missingField(allowed[0]));
        }
    }

    private static AltoException unsupportedParameter(AltoRequest req) {
        String name = req.query().keySet().stream().sorted().findFirst().orElse("uri");
        return new AltoException(AltoError.invalidValue(name, req.param(name),
                "this combination of query parameters is not served; see the directory or capability"));
    }

    private static String segment(String path, int i) {
        return path.split("/", -1)[i];
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

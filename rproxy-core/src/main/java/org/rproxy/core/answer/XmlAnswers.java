package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

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
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.query.RankedEndpoint;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.store.Representation;

/**
 * The seed dialect's queries (draft-penno-alto-protocol-03): reverse lookup, endpoint to PID,
 * a cost map row, and the ranking of destination endpoints. Answers are computed from the
 * default network map and its cost maps and are not signed (see {@link ComputedAnswer}). Runs on the
 * query executor.
 */
final class XmlAnswers {
    private final Answers q;
    private final XmlCodec xml;

    XmlAnswers(Answers q, XmlCodec xml) {
        this.q = requireNonNull(q, "q");
        this.xml = requireNonNull(xml, "xml");
    }

    /** {@code GET /prop/pid?pid=PID1&pid=PID2}: the seed's reverse network map query. */
    Representation reverseLookup(AltoRequest req) {
        QueryParams.only(req, "pid");
        List<String> pids = req.query().get("pid");
        NetworkMap def = q.maps().defaultMap();
        Bytes body = xml.renderPids(def, pids);
        return q.computed(MediaTypes.XML, body, q.source(def.vtag().resourceId(), ResourcePaths.XML_NETWORK_MAP_PATH));
    }

    /** {@code GET /prop/pid/lookup?endpoint=ipv4:..} or {@code POST} with an endpoint list. */
    Representation endpointLookup(AltoRequest req) {
        List<IpAddress> endpoints = new ArrayList<>();
        if (req.method().equals("POST")) {
            QueryParams.requireXml(req);
            QueryParams.only(req);
            endpoints.addAll(xml.parseEndpointLookup(req.body()));
        } else {
            QueryParams.only(req, "endpoint");
            List<String> given = req.query().get("endpoint");
            if (given.size() > XmlCodec.MAX_ENDPOINTS) {
                throw new AltoException(AltoError.invalidValue("endpoint", null, "at most " + XmlCodec.MAX_ENDPOINTS + " endpoints"));
            }
            for (String e : given) {
                endpoints.add(IpAddress.parseTyped(e, "endpoint"));
            }
        }
        List<EndpointPid> answer = new ArrayList<>(endpoints.size());
        endpoints.forEach(e -> answer.add(new EndpointPid(e, q.defaultIndex().pidOf(e).orElse(null))));
        NetworkMap def = q.maps().defaultMap();
        return q.computed(MediaTypes.XML, xml.renderEndpointPids(answer),
                q.source(def.vtag().resourceId(), ResourcePaths.XML_NETWORK_MAP_PATH));
    }

    /**
     * {@code GET /cost/map?type=..} that did not match a published document. A metric no cost map
     * has names no document: 404 (the error naming {@code type}), as any path that names none, so
     * a proxy holding the rendering of a map retired since lets it go with the map, where a 400
     * was taken for a failing upstream and the copy served until its signature expired.
     */
    Representation costMap(AltoRequest req) {
        QueryParams.only(req, "type");
        costMapOfType(req.param("type"), 404);
        throw QueryParams.unsupported(req);
    }

    /** {@code GET /cost/row?srcpid=PID1[&type=..]}: one row of the seed's cost map. */
    Representation costRow(AltoRequest req) {
        QueryParams.only(req, "srcpid", "type");
        String src = req.param("srcpid");
        if (src == null) {
            throw new AltoException(AltoError.missingField("srcpid"));
        }
        if (!q.maps().defaultMap().hasPid(src)) {
            throw new AltoException(AltoError.invalidValue("srcpid", src, "no PID " + src + " in the network map"));
        }
        CostMap map = costMapOfType(req.param("type"), 400);
        return q.computed(MediaTypes.XML, xml.renderCostRows(map, List.of(src)),
                q.source(map.vtag().resourceId(), xmlCostMapPath(map)));
    }

    /** {@code POST /cost/m?mode=ordinal|numerical}: rank destination endpoints for a source endpoint. */
    Representation ranking(AltoRequest req) {
        QueryParams.only(req, "mode");
        String m = req.param("mode");
        if (m == null) {
            throw new AltoException(AltoError.missingField("mode"));
        }
        CostMode mode = CostMode.parse(m, "mode");
        QueryParams.requireXml(req);
        CostQuery query = xml.parseCostQuery(req.body());
        CostMap xmlMap = costMapOfType(query.metric(), 400);
        CostType type = new CostType(query.metric(), mode);
        // name the map ranked from: the XML cost map when it is that map, else (a published
        // ordinal map, which has no XML rendering) the JSON cost map; none is refused naming
        // this dialect's member at fault
        CostMap map = q.endpointCosts().costMap(type, "type", "mode");
        List<RankedEndpoint> ranked = q.endpointCosts().rank(query.source(), query.destinations(), type);
        String id = map.vtag().resourceId();
        String path = id.equals(xmlMap.vtag().resourceId()) ? xmlCostMapPath(map) : q.holdings().costMapPath(id);
        List<EndpointCostRow.Entry> entries = new ArrayList<>(ranked.size());
        ranked.forEach(r -> entries.add(new EndpointCostRow.Entry(r.endpoint(), mode == CostMode.ORDINAL ? r.rank() : r.cost())));
        NetworkMap def = q.maps().defaultMap();
        return q.computed(MediaTypes.XML, xml.renderEndpointCosts(new EndpointCostRow(type, query.source(), entries)),
                q.source(def.vtag().resourceId(), ResourcePaths.XML_NETWORK_MAP_PATH),
                q.source(id, path));
    }

    /** The default network map's cost map of {@code metric}; none is refused naming {@code type}, with {@code status}. */
    private CostMap costMapOfType(String metric, int status) {
        String m = metric == null ? ResourcePaths.DEFAULT_METRIC : metric;
        String def = q.maps().defaultNetworkMap();
        q.holdings().requireCostMaps(def, m);
        return q.maps().costMap(def, m).orElseThrow(() ->
                new AltoException(AltoError.invalidValue("type", m, "no cost map of type " + m
                        + " (have: " + q.holdings().metrics(def) + ")").withStatus(status)));
    }

    private static String xmlCostMapPath(CostMap map) {
        return ResourcePaths.XML_COST_MAP_PATH + "?type=" + map.costType().metric();
    }
}

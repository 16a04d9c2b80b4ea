package org.rproxy.core.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.EndpointCostRow;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;
import org.rproxy.core.query.CostMapFilter;
import org.rproxy.core.query.CostMapFiltering;
import org.rproxy.core.query.EndpointCostLookup;
import org.rproxy.core.query.EndpointCostQuery;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * A network map with a numerical and an ordinal cost map of one metric that rank differently:
 * each ordinal answer (the filtered cost map, endpoint costs, the seed's ranking) is computed from
 * the published ordinal map, its {@code Alto-Derived-From} (and a JSON body's vtags) names that
 * map, and recomputing the answer from the maps named alone gives the same bytes, which is how a
 * client verifies an unsigned answer (ARCHITECTURE.md §4). The answers come from the held maps
 * through {@link AnswerEngine}, which runs the origin's {@link Answers} on them.
 */
class OrdinalAnswerSourceTest {
    static final String NET_ID = "default-network-map";
    static final NetworkMap NET = new NetworkMap(new VersionTag(NET_ID, "n1"), Map.of(
            "PID1", List.of(Cidr.parse("128.36.1.0/24", false, "t")),
            "PID2", List.of(Cidr.parse("130.132.3.0/24", false, "t")),
            "PID3", List.of(Cidr.parse("0.0.0.0/0", false, "t"))));
    static final CostType NUMERICAL = new CostType("routingcost", CostMode.NUMERICAL);
    static final CostType ORDINAL = new CostType("routingcost", CostMode.ORDINAL);
    /** From PID1, PID2 (5) is nearer than PID3 (10). */
    static final CostMap NUM = new CostMap(new VersionTag("routingcost-map", "c1"), NET.vtag(), NUMERICAL, Map.of(
            "PID1", Map.of("PID2", 5.0, "PID3", 10.0), "PID2", Map.of("PID1", 5.0, "PID3", 15.0),
            "PID3", Map.of("PID1", 20.0, "PID2", 15.0)));
    /** The origin's own ranking: from PID1, PID3 first. */
    static final CostMap ORD = new CostMap(new VersionTag("routingcost-ordinal", "o1"), NET.vtag(), ORDINAL, Map.of(
            "PID1", Map.of("PID2", 2.0, "PID3", 1.0), "PID2", Map.of("PID1", 2.0, "PID3", 1.0),
            "PID3", Map.of("PID1", 1.0, "PID2", 2.0)));
    static final String SRC = "ipv4:128.36.1.10";
    static final List<String> DSTS = List.of("ipv4:130.132.3.7", "ipv4:8.8.8.8"); // PID2, PID3
    static final String RANKING = "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"routingcost\">"
            + "<srcendp name=\"" + SRC + "\"/><dstendp name=\"" + DSTS.get(0) + "\"/><dstendp name=\"" + DSTS.get(1)
            + "\"/></costquery></alto>";
    static final Pattern SOURCE = Pattern.compile("\"([^\"]+)\";path=\"([^\"]+)\";etag=\"([^\"]*)\"");

    final XmlCodec xml = new XmlCodec();
    final Instant now = Instant.now();

    @Test
    void theXmlRankingNamesTheOrdinalMapItRanksByAndRecomputesFromIt() {
        Representation r = answer(List.of(NUM, ORD), "POST", "/cost/m?mode=ordinal", MediaTypes.XML, RANKING);
        assertEquals(List.of(NET_ID + " /prop/pid", "routingcost-ordinal /costmap/routingcost-ordinal"), named(r));
        EndpointCostRow row = xml.parseEndpointCosts(r.identity().body());
        assertEquals(List.of(new EndpointCostRow.Entry(ip(DSTS.get(1)), 1), new EndpointCostRow.Entry(ip(DSTS.get(0)), 2)),
                row.entries(), "the ordinal map's ranking: PID3 first");
        assertEquals(r.identity().body(), recomputedRanking(namedCostMap(r), CostMode.ORDINAL));
    }

    @Test
    void theEndpointCostAnswerNamesTheOrdinalMapInItsHeaderAndItsVtagsAndRecomputesFromIt() {
        Representation r = answer(List.of(NUM, ORD), "POST", "/endpointcost", MediaTypes.ENDPOINT_COST_PARAMS,
                endpointCostBody("ordinal"));
        assertEquals(List.of(NET_ID + " /networkmap/" + NET_ID, "routingcost-ordinal /costmap/routingcost-ordinal"), named(r));
        JsonNode body = AltoJson.parse(r.identity().body().toArray());
        assertEquals(vtagsNamed(r), vtags(body.path("meta").path("dependent-vtags")), "header and dependent-vtags agree");
        assertEquals(1, body.path("endpoint-cost-map").path(SRC).path(DSTS.get(1)).asInt());
        assertEquals(2, body.path("endpoint-cost-map").path(SRC).path(DSTS.get(0)).asInt());
        assertEquals(r.identity().body(), recomputedEndpointCost(namedCostMap(r), "ordinal"));
    }

    @Test
    void theFilteredCostMapShowsAndNamesThePublishedOrdinalMapAndRecomputesFromIt() {
        Representation r = answer(List.of(NUM, ORD), "POST", "/costmap/" + NET_ID + "/filtered",
                MediaTypes.COST_MAP_FILTER, filterBody("ordinal"));
        assertEquals(List.of("routingcost-ordinal /costmap/routingcost-ordinal"), named(r));
        JsonNode body = AltoJson.parse(r.identity().body().toArray());
        assertEquals(List.of("cost-type", "dependent-vtags"), fieldNames(body.path("meta")),
                "RFC 7285 §11.3.2.6: a filtered cost map's meta, with no vtag of the map it was cut from");
        assertEquals(1, body.path("cost-map").path("PID1").path("PID3").asInt());
        assertEquals(2, body.path("cost-map").path("PID1").path("PID2").asInt());
        assertEquals(r.identity().body(), recomputedFiltered(namedCostMap(r), "ordinal"));
    }

    @Test
    void numericalAnswersNameTheNumericalMap() {
        List<CostMap> maps = List.of(NUM, ORD);
        assertEquals(List.of(NET_ID + " /prop/pid", "routingcost-map /cost/map?type=routingcost"),
                named(answer(maps, "POST", "/cost/m?mode=numerical", MediaTypes.XML, RANKING)));
        Representation ec = answer(maps, "POST", "/endpointcost", MediaTypes.ENDPOINT_COST_PARAMS, endpointCostBody("numerical"));
        assertEquals(List.of(NET_ID + " /networkmap/" + NET_ID, "routingcost-map /costmap/routingcost-map"), named(ec));
        assertEquals(vtagsNamed(ec), vtags(AltoJson.parse(ec.identity().body().toArray()).path("meta").path("dependent-vtags")));
        assertEquals(List.of("routingcost-map /costmap/routingcost-map"), named(answer(maps, "POST",
                "/costmap/" + NET_ID + "/filtered", MediaTypes.COST_MAP_FILTER, filterBody("numerical"))));
    }

    @Test
    void withoutAnOrdinalMapTheOrdinalAnswersRankTheNumericalMapAndNameIt() {
        List<CostMap> maps = List.of(NUM);
        Representation ranking = answer(maps, "POST", "/cost/m?mode=ordinal", MediaTypes.XML, RANKING);
        assertEquals(List.of(NET_ID + " /prop/pid", "routingcost-map /cost/map?type=routingcost"), named(ranking));
        assertEquals(ranking.identity().body(), recomputedRanking(NUM, CostMode.ORDINAL));
        Representation ec = answer(maps, "POST", "/endpointcost", MediaTypes.ENDPOINT_COST_PARAMS, endpointCostBody("ordinal"));
        assertEquals(List.of(NET_ID + " /networkmap/" + NET_ID, "routingcost-map /costmap/routingcost-map"), named(ec));
        assertEquals(ec.identity().body(), recomputedEndpointCost(NUM, "ordinal"));
        Representation filtered = answer(maps, "POST", "/costmap/" + NET_ID + "/filtered", MediaTypes.COST_MAP_FILTER,
                filterBody("ordinal"));
        assertEquals(List.of("routingcost-map /costmap/routingcost-map"), named(filtered));
        assertEquals(filtered.identity().body(), recomputedFiltered(NUM, "ordinal"));
        JsonNode body = AltoJson.parse(filtered.identity().body().toArray());
        assertEquals(1, body.path("cost-map").path("PID1").path("PID2").asInt());
        assertEquals(List.of("cost-type", "dependent-vtags"), fieldNames(body.path("meta")),
                "an ordinal view of the numerical map carries no vtag (it would name the numerical map)");
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // --- what a verifying client does: compute the answer from the map named, and nothing else

    private Bytes recomputedRanking(CostMap named, CostMode mode) {
        CostType type = new CostType("routingcost", mode);
        List<EndpointCostRow.Entry> entries = new ArrayList<>();
        new EndpointCostLookup(NET, List.of(named)).rank(ip(SRC), List.of(ip(DSTS.get(0)), ip(DSTS.get(1))), type)
                .forEach(e -> entries.add(new EndpointCostRow.Entry(e.endpoint(), mode == CostMode.ORDINAL ? e.rank() : e.cost())));
        return xml.renderEndpointCosts(new EndpointCostRow(type, ip(SRC), entries));
    }

    private static Bytes recomputedEndpointCost(CostMap named, String mode) {
        EndpointCostQuery q = EndpointCostQuery.fromJson(AltoJson.parse(endpointCostBody(mode).getBytes(StandardCharsets.UTF_8)), null);
        return Bytes.wrap(new EndpointCostLookup(NET, List.of(named)).lookup(q).toCanonicalJson());
    }

    private static Bytes recomputedFiltered(CostMap named, String mode) {
        CostMapFilter f = CostMapFilter.fromJson(AltoJson.parse(filterBody(mode).getBytes(StandardCharsets.UTF_8)));
        return Bytes.wrap(AltoJson.canonicalCostMap(CostMapFiltering.apply(named, f), false));
    }

    private static String endpointCostBody(String mode) {
        return "{\"cost-type\":{\"cost-mode\":\"" + mode + "\",\"cost-metric\":\"routingcost\"},"
                + "\"endpoints\":{\"srcs\":[\"" + SRC + "\"],\"dsts\":[\"" + DSTS.get(0) + "\",\"" + DSTS.get(1) + "\"]}}";
    }

    private static String filterBody(String mode) {
        return "{\"cost-type\":{\"cost-mode\":\"" + mode + "\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":[\"PID1\"],\"dsts\":[]}}";
    }

    // --- the answers, from held copies of the maps as an origin serves them

    private Representation answer(List<CostMap> costMaps, String method, String target, String type, String body) {
        Map<String, Representation> held = held(costMaps);
        Reply reply = AnswerEngine.build(held::get, AnswerEngine.none(), Clock.systemUTC()).answer(request(method, target, type, body));
        return assertInstanceOf(Reply.Ok.class, reply, target + ": " + reply).representation();
    }

    /** "id path" of each source {@code Alto-Derived-From} names, in order. */
    private static List<String> named(Representation r) {
        List<String> out = new ArrayList<>();
        Matcher m = SOURCE.matcher(r.identity().header("alto-derived-from").orElseThrow());
        while (m.find()) {
            out.add(m.group(1) + " " + m.group(2));
        }
        return out;
    }

    /** The version tags {@code Alto-Derived-From} names (the held copies' entity tags are the vtags here). */
    private static List<String> vtagsNamed(Representation r) {
        List<String> out = new ArrayList<>();
        Matcher m = SOURCE.matcher(r.identity().header("alto-derived-from").orElseThrow());
        while (m.find()) {
            out.add(m.group(1) + "=" + m.group(3));
        }
        return out;
    }

    private static List<String> vtags(JsonNode dependentVtags) {
        List<String> out = new ArrayList<>();
        dependentVtags.forEach(v -> out.add(v.path("resource-id").asText() + "=" + v.path("tag").asText()));
        return out;
    }

    private static CostMap namedCostMap(Representation r) {
        List<String> named = named(r);
        String id = named.get(named.size() - 1).split(" ")[0];
        return id.equals(ORD.vtag().resourceId()) ? ORD : NUM;
    }

    private Map<String, Representation> held(List<CostMap> costMaps) {
        Map<String, Representation> out = new HashMap<>();
        Map<String, CostType> types = new TreeMap<>();
        Map<String, InformationResource> resources = new TreeMap<>();
        resources.put(NET_ID, InformationResource.simple(NET_ID, "/networkmap/" + NET_ID, MediaTypes.NETWORK_MAP, List.of()));
        out.put("/networkmap/" + NET_ID, held(MediaTypes.NETWORK_MAP, Jcs.canonicalize(AltoJson.writeNetworkMap(NET)), NET.vtag()));
        for (CostMap c : costMaps) {
            String id = c.vtag().resourceId();
            String name = name(c.costType());
            types.put(name, c.costType());
            types.putIfAbsent(name(ORDINAL), ORDINAL);
            resources.put(id, new InformationResource(id, "/costmap/" + id, MediaTypes.COST_MAP, null, List.of(name),
                    null, null, null, null, List.of(NET_ID)));
            out.put("/costmap/" + id, held(MediaTypes.COST_MAP, Jcs.canonicalize(AltoJson.writeCostMap(c)), c.vtag()));
        }
        List<String> names = new ArrayList<>(types.keySet());
        resources.put("filtered-cost-map", new InformationResource("filtered-cost-map", "/costmap/" + NET_ID + "/filtered",
                MediaTypes.COST_MAP, MediaTypes.COST_MAP_FILTER, names, null, Boolean.TRUE, null, null, List.of(NET_ID)));
        resources.put("endpoint-cost", new InformationResource("endpoint-cost", "/endpointcost", MediaTypes.ENDPOINT_COST,
                MediaTypes.ENDPOINT_COST_PARAMS, names, null, Boolean.TRUE, null, null, List.of(NET_ID)));
        Directory dir = new Directory(types, NET_ID, resources, List.of(), List.of());
        out.put("/directory", held(MediaTypes.DIRECTORY, Jcs.canonicalize(AltoJson.writeDirectory(dir)), new VersionTag("directory", "d1")));
        // the seed dialect's documents, rendered as the origin renders them
        out.put("/prop/pid", held(MediaTypes.XML, xml.renderNetworkMap(NET).toArray(), NET.vtag()));
        MapSet set = new MapSet(Map.of(NET_ID, NET), byId(costMaps), Map.of(), NET_ID);
        CostMap xmlMap = set.costMap(NET_ID, "routingcost").orElseThrow();
        out.put("/cost/map?type=routingcost", held(MediaTypes.XML, xml.renderCostMap(xmlMap).toArray(), xmlMap.vtag()));
        return out;
    }

    private Representation held(String type, byte[] body, VersionTag tag) {
        List<HeaderField> headers = List.of(new HeaderField("content-type", type),
                new HeaderField("content-digest", ContentDigest.sha256(body)), new HeaderField("etag", '"' + tag.tag() + '"'));
        return new Representation(new Variant(Bytes.wrap(body), null, headers), null, 60, now, now.plus(Duration.ofHours(1)));
    }

    private static Map<String, CostMap> byId(List<CostMap> maps) {
        Map<String, CostMap> out = new LinkedHashMap<>();
        maps.forEach(c -> out.put(c.vtag().resourceId(), c));
        return out;
    }

    private static String name(CostType t) {
        return (t.mode() == CostMode.NUMERICAL ? "num-" : "ord-") + t.metric();
    }

    private static IpAddress ip(String typed) {
        return IpAddress.parseTyped(typed, "test");
    }

    private static AltoRequest request(String method, String target, String contentType, String body) {
        int q = target.indexOf('?');
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.computeIfAbsent(pair.substring(0, eq), k -> new ArrayList<>())
                        .add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return new AltoRequest(method, q < 0 ? target : target.substring(0, q), query, target, contentType, null, Bytes.utf8(body));
    }
}

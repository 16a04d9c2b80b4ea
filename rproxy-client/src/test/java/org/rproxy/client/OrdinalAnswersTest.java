package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.MediaTypes;

/**
 * An ordinal answer of the client's local answers is an ordinal rank, the one the origin's own
 * {@code /endpointcost} gives for the same maps and the same endpoints (RFC 7285 §6.1.2.2,
 * §11.5.1.7: the destinations asked ranked from 1): whether the maps publish an ordinal map of
 * the metric (whose ranking is followed, even where it is not the order of the numbers) or only
 * the numerical one (which is ranked). Asked of a real origin on loopback.
 */
class OrdinalAnswersTest {
    private static final CostType ORDINAL = CostType.ordinal("routingcost");
    private static final String SRC = "128.36.1.5";
    /** PID2 (numerical cost 5 from PID1) and PID3 (10). */
    private static final List<String> DSTS = List.of("130.132.3.9", "0.0.0.1");

    @TempDir
    Path dir;
    private LocalOrigin origin;

    @AfterEach
    void stop() {
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void withOnlyANumericalMapAnOrdinalCostIsARankNotTheNumber() throws Exception {
        origin = LocalOrigin.start(dir, List.of());
        LocalAnswers a = client().refreshMaps();
        assertEquals(Map.of("ipv4:130.132.3.9", 1.0, "ipv4:0.0.0.1", 2.0), endpointCost(DSTS), "the origin's answer");
        assertSameAsTheOrigin(a);
        assertEquals(5.0, a.cost(SRC, DSTS.get(0)).orElseThrow(), "the numerical cost is still the number");
    }

    @Test
    void withAnOrdinalMapPublishedItsRankingIsFollowed() throws Exception {
        // the origin's own ranking: PID3 preferred to PID2, the reverse of the numbers, with gaps
        Files.writeString(Files.createDirectories(dir.resolve("maps")).resolve("routingcost-ordinal-map.json"),
                "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"ordinal\",\"cost-metric\":\"routingcost\"}},\"cost-map\":{"
                + "\"PID1\":{\"PID2\":7,\"PID3\":3},\"PID2\":{\"PID1\":1,\"PID3\":2},"
                + "\"PID3\":{\"PID1\":2,\"PID2\":1}}}");
        origin = LocalOrigin.start(dir, List.of());
        LocalAnswers a = client().refreshMaps();
        assertEquals(Map.of("ipv4:130.132.3.9", 2.0, "ipv4:0.0.0.1", 1.0), endpointCost(DSTS), "the origin's answer");
        assertSameAsTheOrigin(a);
        assertEquals(List.of("ipv4:0.0.0.1", "ipv4:130.132.3.9"), a.rank(SRC, DSTS, ORDINAL).stream()
                .map(r -> r.endpoint()).toList(), "the ordinal map's ranking, not the numbers'");
    }

    @Test
    void aPairWithinOnePidTheMapGivesNoCostForHasNoCostAsAtTheOrigin() throws Exception {
        origin = LocalOrigin.start(dir, List.of());
        LocalAnswers a = client().refreshMaps();
        String samePid = "127.0.0.2"; // PID1, as SRC: the cost map has no PID1 -> PID1 cost
        for (CostMode mode : CostMode.values()) {
            assertEquals(Map.of(), endpointCost(List.of(samePid), mode), "the origin leaves the pair out, " + mode);
            assertTrue(a.cost(SRC, samePid, new CostType("routingcost", CostType.Mode.valueOf(mode.name()))).isEmpty(),
                    "and so do the local answers, " + mode);
        }
        assertTrue(a.cost(SRC, samePid).isEmpty(), "the routing cost too");
        RankedEndpoint own = a.rank(SRC, List.of(samePid)).get(0);
        assertEquals(0.0, own.cost(), "rank still puts a peer of the source's own PID first, at cost 0");
    }

    /** cost and rank, ordinal, against the origin's /endpointcost for the same endpoints. */
    private void assertSameAsTheOrigin(LocalAnswers a) throws Exception {
        for (String dst : DSTS) {
            assertEquals(endpointCost(List.of(dst)).get("ipv4:" + dst), a.cost(SRC, dst, ORDINAL).orElseThrow(),
                    "cost to " + dst);
        }
        Map<String, Double> ranked = new LinkedHashMap<>();
        for (RankedEndpoint r : a.rank(SRC, DSTS, ORDINAL)) {
            ranked.put(r.endpoint(), r.cost());
            assertEquals(r.rank(), r.cost(), "an ordinal cost is the rank: " + r);
        }
        assertEquals(endpointCost(DSTS), ranked, "rank");
    }

    private AltoClient client() throws Exception {
        return AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
    }

    /** The origin's {@code /endpointcost} answer, ordinal routing cost, from {@link #SRC} to {@code dsts}. */
    private Map<String, Double> endpointCost(List<String> dsts) throws Exception {
        return endpointCost(dsts, CostMode.ORDINAL);
    }

    /** The origin's {@code /endpointcost} answer, routing cost of {@code mode}, from {@link #SRC} to {@code dsts}. */
    private Map<String, Double> endpointCost(List<String> dsts, CostMode mode) throws Exception {
        List<String> typed = new ArrayList<>();
        dsts.forEach(d -> typed.add("\"ipv4:" + d + "\""));
        String body = "{\"cost-type\":{\"cost-mode\":\"" + mode.wireName() + "\",\"cost-metric\":\"routingcost\"},"
                + "\"endpoints\":{\"srcs\":[\"ipv4:" + SRC + "\"],\"dsts\":[" + String.join(",", typed) + "]}}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(origin.uri() + "/endpointcost"))
                .header("content-type", MediaTypes.ENDPOINT_COST_PARAMS)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode row = new ObjectMapper().readTree(r.body()).path("endpoint-cost-map").path("ipv4:" + SRC);
        Map<String, Double> out = new LinkedHashMap<>();
        row.properties().forEach(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }
}

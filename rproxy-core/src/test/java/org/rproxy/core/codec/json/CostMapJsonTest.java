package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.COST_MAP;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.VersionTag;

class CostMapJsonTest {
    private static final VersionTag FALLBACK = new VersionTag("num-routing-map", "v7");
    private static final VersionTag NET = new VersionTag("my-default-network-map", "3ee2cb7e8d63d9fab71b9b34cbf764436315542e");

    @Test
    void readsTheRfcExample() {
        CostMap map = AltoJson.readCostMap(json(COST_MAP), FALLBACK);

        assertEquals(FALLBACK, map.vtag());
        assertEquals(NET, map.dependentVtag());
        assertEquals(new CostType("routingcost", CostMode.NUMERICAL), map.costType());
        assertEquals(15.0, map.cost("PID2", "PID3"));
        assertEquals(20.0, map.cost("PID3", "PID1"));
        assertNull(map.cost("PID3", "PID3"), "a pair the map leaves out has no cost");
    }

    @Test
    void writesTheRfcExampleBackWithoutVtag() {
        CostMap map = AltoJson.readCostMap(json(COST_MAP), FALLBACK);
        assertEquals(json(COST_MAP), AltoJson.writeCostMap(map, false));
    }

    @Test
    void readsAndWritesTheVtagExtension() {
        ObjectNode doc = (ObjectNode) json(COST_MAP);
        ((ObjectNode) doc.get("meta")).set("vtag", json("{\"resource-id\": \"rc\", \"tag\": \"42\"}"));

        CostMap map = AltoJson.readCostMap(doc, FALLBACK);

        assertEquals(new VersionTag("rc", "42"), map.vtag());
        assertEquals(doc, AltoJson.writeCostMap(map));
    }

    @Test
    void writesIntegralCostsAsIntegers() throws Exception {
        CostMap map = new CostMap(FALLBACK, NET, new CostType("routingcost", CostMode.NUMERICAL),
                Map.of("A", Map.of("A", 1.0, "B", 2.5, "C", -0.0)));
        String text = new ObjectMapper().writeValueAsString(AltoJson.writeCostMap(map, false).get("cost-map"));
        assertEquals("{\"A\":{\"A\":1,\"B\":2.5,\"C\":0}}", text);
    }

    static CostMap[] costMapsOfSeveralTypes() {
        return new CostMap[] {
            new CostMap(FALLBACK, NET, new CostType("routingcost", CostMode.NUMERICAL, "My default"),
                    Map.of("P1", Map.of("P1", 0.0, "P2", 0.125, "P3", 1e300), "P2", Map.of("P1", 7.0), "P3", Map.of())),
            new CostMap(new VersionTag("ord-hop", "x"), NET, new CostType("hopcount", CostMode.ORDINAL),
                    Map.of("P1", Map.of("P1", 1.0, "P2", 2.0), "P2", Map.of("P1", 2.0, "P2", 1.0))),
            new CostMap(new VersionTag("priv-map", "1"), NET, new CostType("priv:latency", CostMode.NUMERICAL),
                    Map.of("a.b", Map.of("a.b", 3.14159, "c", 12345678901.0))),
        };
    }

    @ParameterizedTest
    @MethodSource("costMapsOfSeveralTypes")
    void roundTrips(CostMap map) {
        assertEquals(map, AltoJson.readCostMap(AltoJson.writeCostMap(map), null));
    }

    @Test
    void readsAMapOfManyEntries() {
        int n = 200;
        Map<String, Map<String, Double>> costs = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Map<String, Double> row = new LinkedHashMap<>();
            for (int j = 0; j < n; j++) {
                row.put("PID" + j, (double) ((i * 31 + j * 17) % 97));
            }
            costs.put("PID" + i, row);
        }
        CostMap map = new CostMap(FALLBACK, NET, new CostType("routingcost", CostMode.NUMERICAL), costs);

        CostMap back = AltoJson.readCostMap(AltoJson.writeCostMap(map), null);

        assertEquals(n, back.costs().size());
        assertEquals(map, back);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "meta missing                 | {'cost-map': {}}                                                               | E_MISSING_FIELD       | meta",
        "dependent-vtags missing      | {'meta': {'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {}} | E_MISSING_FIELD | meta/dependent-vtags",
        "dependent-vtags not an array | {'meta': {'dependent-vtags': {}, 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {}} | E_INVALID_FIELD_TYPE | meta/dependent-vtags",
        "no dependent vtag            | {'meta': {'dependent-vtags': [], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {}} | E_INVALID_FIELD_VALUE | meta/dependent-vtags",
        "two dependent vtags          | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}, {'resource-id': 'b', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {}} | E_INVALID_FIELD_VALUE | meta/dependent-vtags",
        "dependent vtag without tag   | {'meta': {'dependent-vtags': [{'resource-id': 'a'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {}} | E_MISSING_FIELD | meta/dependent-vtags[0]/tag",
        "cost-type missing            | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}]}, 'cost-map': {}} | E_MISSING_FIELD | meta/cost-type",
        "unknown cost mode            | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'cardinal', 'cost-metric': 'x'}}, 'cost-map': {}} | E_INVALID_FIELD_VALUE | meta/cost-type/cost-mode",
        "cost mode is a number        | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 1, 'cost-metric': 'x'}}, 'cost-map': {}} | E_INVALID_FIELD_TYPE | meta/cost-type/cost-mode",
        "cost metric missing          | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical'}}, 'cost-map': {}} | E_MISSING_FIELD | meta/cost-type/cost-metric",
        "cost metric too long         | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'abcdefghijklmnopqrstuvwxyz0123456'}}, 'cost-map': {}} | E_INVALID_FIELD_VALUE | meta/cost-type/cost-metric",
        "cost-map missing             | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}} | E_MISSING_FIELD | cost-map",
        "row is an array              | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {'P1': [1]}} | E_INVALID_FIELD_TYPE | cost-map/P1",
        "cost is a string             | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {'P1': {'P1': 1, 'P2': '5'}}} | E_INVALID_FIELD_TYPE | cost-map/P1/P2",
        "cost is null                 | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {'P1': {'P2': null}}} | E_INVALID_FIELD_TYPE | cost-map/P1/P2",
        "source PID is invalid        | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {'P/1': {}}} | E_INVALID_FIELD_VALUE | cost-map/P/1",
        "destination PID is invalid   | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {'P1': {'P 2': 1}}} | E_INVALID_FIELD_VALUE | cost-map/P1/P 2",
        "fractional ordinal           | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'x'}}, 'cost-map': {'P1': {'P2': 1.5}}} | E_INVALID_FIELD_VALUE | cost-map/P1/P2",
        "cost out of double range     | {'meta': {'dependent-vtags': [{'resource-id': 'a', 'tag': '1'}], 'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'x'}}, 'cost-map': {'P1': {'P2': 1e400}}} | E_INVALID_FIELD_VALUE | cost-map/P1/P2",
    })
    void reportsTheFieldAtFault(String name, String doc, AltoErrorCode code, String field) {
        String text = doc.replace('\'', '"');
        assertAltoError(code, field, () -> AltoJson.readCostMap(json(text), FALLBACK));
        assertAltoError(code, field, () -> AltoJson.readCostMap(utf8(text), FALLBACK));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void streamingReaderReadsWhatTheTreeReaderReads() {
        assertEquals(AltoJson.readCostMap(json(COST_MAP), FALLBACK), AltoJson.readCostMap(utf8(COST_MAP), FALLBACK));
    }

    @ParameterizedTest
    @MethodSource("costMapsOfSeveralTypes")
    void streamingReaderRoundTrips(CostMap map) throws Exception {
        byte[] bytes = new ObjectMapper().writeValueAsBytes(AltoJson.writeCostMap(map));
        assertEquals(map, AltoJson.readCostMap(bytes, null));
    }

    @Test
    void streamingReaderTakesMetaAfterTheCostsAndSkipsUnknownMembers() {
        String doc = """
                {"x-first": {"a": [1, {"b": null}]},
                 "cost-map": {"P1": {"P2": 2.5}},
                 "meta": {"cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
                          "dependent-vtags": [{"resource-id": "net", "tag": "7"}], "x-more": [1]}}
                """;
        CostMap map = AltoJson.readCostMap(utf8(doc), FALLBACK);
        assertEquals(Map.of("P1", Map.of("P2", 2.5)), map.costs());
        assertEquals(new VersionTag("net", "7"), map.dependentVtag());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"meta\": {}} {}", "{\"cost-map\": {\"P1\": {\"P2\": 1, \"P2\": 2}}}",
        "{\"meta\": {\"cost-type\": 1, \"cost-type\": 2}}", "{\"cost-map\": {\"P1\": {\"P2\": NaN}}}"})
    void streamingReaderRefusesBadSyntax(String doc) {
        assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.readCostMap(utf8(doc), FALLBACK));
    }

    /**
     * The streaming reader reports the tree reader's first error word for word, though the tree
     * reader sees the whole document first: a fault in the costs loses to a syntax error after
     * it (a map cut short in transit was reported as a cost of the wrong type) and to a
     * {@code meta} of the wrong type after it; trailing content is placed at its token.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"cost-map\": {\"P1\": {\"P2\": \"x\"}}",
        "{\"cost-map\": 5,",
        "{\"cost-map\": {\"bad pid\": {}}, \"meta\": 5}",
        "{\"cost-map\": {\"P1\": [1, 2]}, \"meta\": null}",
        "{\"cost-map\": {\"P1\": {\"P2\": {\"a\": [\"\\q\"]}}}, \"meta\": {}}",
        "{\"cost-map\": {\"P1\": {\"P2\": true}}, \"meta\": {}, \"meta\": {}}",
        "{\"cost-map\": {\"P1\": {\"P2\": true}}}",
        "5 6",
        "{\"meta\": {}} 7"})
    void streamingReaderRefusesWithTheTreeReadersErrorWordForWord(String doc) {
        AltoException tree = assertThrows(AltoException.class, () -> AltoJson.readCostMap(AltoJson.parse(utf8(doc)), FALLBACK));
        AltoException stream = assertThrows(AltoException.class, () -> AltoJson.readCostMap(utf8(doc), FALLBACK));
        assertEquals(tree.error(), stream.error());
    }

    @Test
    void streamingReaderRefusesADocumentThatIsNotAnObject() {
        assertAltoError(AltoErrorCode.E_INVALID_FIELD_TYPE, null, () -> AltoJson.readCostMap(utf8("[1, 2]"), FALLBACK));
    }

    @Test
    void ignoresUnknownMembers() {
        ObjectNode doc = (ObjectNode) json(COST_MAP);
        doc.put("x-extension", true);
        ((ObjectNode) doc.get("meta")).put("x-other", 1);
        CostMap map = AltoJson.readCostMap(doc, FALLBACK);
        assertTrue(map.costs().containsKey("PID1"));
        assertFalse(AltoJson.writeCostMap(map).has("x-extension"));
    }
    /** The tree-free writer gives the bytes the canonicalizer gives for the tree, on many maps. */
    @Test
    void canonicalBytesAreThoseOfTheCanonicalizedTree() {
        Random random = new Random(7);
        String[] names = {"PID1", "PID10", "PID2", "a", "b-c", "Z", "x:y", "p.q", "p@q", "_u", "Z_9"};
        for (int round = 0; round < 300; round++) {
            CostMap map = new CostMap(new VersionTag("rc", "t" + round), NET, costType(round, CostMode.NUMERICAL), randomCosts(random, names));
            for (boolean withVtag : new boolean[] {true, false}) {
                assertEquals(new String(Jcs.canonicalize(AltoJson.writeCostMap(map, withVtag)),
                                StandardCharsets.UTF_8),
                        new String(AltoJson.canonicalCostMap(map, withVtag), StandardCharsets.UTF_8), "round " + round);
            }
        }
    }

    /**
     * The length the canonical writer is sized by is that of the bytes it writes, so that a whole
     * map's buffer is its answer and is not copied to size: on the maps above, maps with empty
     * rows, none, negative and non-integral costs, and descriptions that need escapes or are not ASCII.
     */
    @Test
    void canonicalWriterIsSizedExactly() {
        Random random = new Random(13);
        String[] names = {"PID1", "PID10", "PID2", "a", "b-c", "Z", "x:y", "p.q", "p@q", "_u", "Z_9"};
        String[] descriptions = {null, "", "a \"quoted\" description\n", "tab\tnul\u0000bell\u0007", "caf\u00e9 \u20ac",
            "\ud83d\ude00 emoji", "back\\slash /"};
        List<CostMap> maps = new ArrayList<>(List.of(costMapsOfSeveralTypes()));
        maps.add(new CostMap(FALLBACK, NET, new CostType("routingcost", CostMode.NUMERICAL), Map.of()));
        maps.add(new CostMap(FALLBACK, NET, new CostType("routingcost", CostMode.NUMERICAL),
                Map.of("A", Map.of(), "B", Map.of("A", -12.0, "B", -0.0, "C", -1.5e-9))));
        for (int round = 0; round < 300; round++) {
            maps.add(new CostMap(new VersionTag("rc", "t" + round), NET, new CostType("routingcost", CostMode.NUMERICAL,
                    descriptions[round % descriptions.length]), randomCosts(random, names)));
        }
        for (CostMap map : maps) {
            for (boolean withVtag : new boolean[] {true, false}) {
                assertEquals(AltoJson.canonicalCostMap(map, withVtag).length, CostMapJson.canonicalLength(map, withVtag),
                        map::toString);
            }
        }
    }

    /** Endpoint cost answers too, whose rows come in query order (not sorted), with and without dependencies. */
    @Test
    void canonicalEndpointCostBytesAreThoseOfTheCanonicalizedTree() {
        Random random = new Random(11);
        String[] endpoints = {"ipv4:192.0.2.10", "ipv4:192.0.2.9", "ipv4:198.51.100.1", "ipv6:2001:db8::1",
            "ipv6:2001:db8::a", "ipv6:::ffff:192.0.2.1", "ipv4:10.0.0.1"};
        for (int round = 0; round < 300; round++) {
            List<String> shuffled = new ArrayList<>(List.of(endpoints));
            Collections.shuffle(shuffled, random);
            Map<String, Map<String, Double>> costs = randomCosts(random, shuffled.toArray(String[]::new));
            List<VersionTag> deps = round % 2 == 0 ? List.of()
                    : List.of(new VersionTag("net", "n" + round), new VersionTag("rc", "c" + round));
            CostType type = costType(round, round % 4 == 3 ? CostMode.ORDINAL : CostMode.NUMERICAL);
            String expected = new String(Jcs.canonicalize(AltoJson.writeEndpointCost(type, deps, costs)), StandardCharsets.UTF_8);
            assertEquals(expected, new String(AltoJson.canonicalEndpointCost(type, deps, costs), StandardCharsets.UTF_8),
                    "round " + round);
            // rows already sorted (as EndpointCostAnswer keeps them) are written as they stand
            Map<String, Map<String, Double>> sorted = new TreeMap<>();
            costs.forEach((src, row) -> sorted.put(src, new TreeMap<>(row)));
            assertEquals(expected, new String(AltoJson.canonicalEndpointCost(type, deps, sorted), StandardCharsets.UTF_8),
                    "round " + round + ", sorted");
        }
    }

    private static CostType costType(int round, CostMode mode) {
        return new CostType(round % 2 == 0 ? "routingcost" : "hopcount", mode,
                round % 3 == 0 ? "a \"quoted\" description\n" : null);
    }

    /** About two thirds of the sources, each with about three quarters of the destinations, in {@code names}' order. */
    private static Map<String, Map<String, Double>> randomCosts(Random random, String[] names) {
        Map<String, Map<String, Double>> costs = new LinkedHashMap<>();
        for (String src : names) {
            if (random.nextInt(3) == 0) {
                continue;
            }
            Map<String, Double> row = new LinkedHashMap<>();
            for (String dst : names) {
                if (random.nextInt(4) != 0) {
                    row.put(dst, switch (random.nextInt(5)) {
                        case 0 -> (double) random.nextInt(1_000) + 1;
                        case 1 -> random.nextDouble() * 1e6;
                        case 2 -> 1e21 + random.nextInt(10) * 1e20;
                        case 3 -> 1e-7 * (random.nextInt(9) + 1);
                        default -> (double) (random.nextInt(100) + 1) / 8;
                    });
                }
            }
            costs.put(src, row);
        }
        return costs;
    }
}

package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.ENDPOINT_COST_ANSWER;
import static org.rproxy.core.codec.json.Rfc7285Examples.ENDPOINT_COST_QUERY;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;
import static org.rproxy.core.query.Fixtures.COST_VTAG;
import static org.rproxy.core.query.Fixtures.dualStackMap;
import static org.rproxy.core.query.Fixtures.ip;
import static org.rproxy.core.query.Fixtures.rfcCostMap;
import static org.rproxy.core.query.Fixtures.rfcNetworkMap;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

class EndpointCostLookupTest {
    private static final CostType NUM_ROUTING = new CostType("routingcost", CostMode.NUMERICAL);
    private static final CostType ORD_ROUTING = new CostType("routingcost", CostMode.ORDINAL);

    private static EndpointCostQuery query(String body) {
        return EndpointCostQuery.fromJson(json(body.replace('\'', '"')), null);
    }

    private static EndpointCostLookup rfcLookup() {
        return new EndpointCostLookup(rfcNetworkMap(), List.of(rfcCostMap()));
    }

    /** The dual-stack map with routing costs: lan 1 to itself, lan to dc 4, lan to rest 9, dc to rest 9. */
    private static EndpointCostLookup dualStackLookup() {
        NetworkMap net = dualStackMap();
        CostMap costs = new CostMap(new VersionTag("dual-costs", "1"), net.vtag(), NUM_ROUTING, Map.of(
                "lan", Map.of("lan", 1.0, "dc", 4.0, "rest", 9.0),
                "dc", Map.of("lan", 4.0, "dc", 1.0, "rest", 9.0)));
        return new EndpointCostLookup(net, List.of(costs));
    }

    @Test
    void answersTheRfcRequestWithDenseRanks() {
        EndpointCostAnswer answer = rfcLookup().lookup(EndpointCostQuery.fromJson(json(ENDPOINT_COST_QUERY), null));

        // In the RFC's own network map 192.0.2.89 and 198.51.100.34 are both in PID1, so they tie
        // (cost 1) ahead of 203.0.113.45 in PID3 (cost 10): ranks 1, 1, 2, not the 1, 2, 3 printed.
        assertEquals(Map.of("ipv4:192.0.2.2", Map.of("ipv4:192.0.2.89", 1.0, "ipv4:198.51.100.34", 1.0,
                "ipv4:203.0.113.45", 2.0)), answer.costs());
    }

    @Test
    void answersInTheRfcShapeWhenDestinationsAreInDistinctPids() {
        EndpointCostQuery q = query("{'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'},"
                + " 'endpoints': {'srcs': ['ipv4:192.0.2.2'],"
                + " 'dsts': ['ipv4:192.0.2.89', 'ipv4:198.51.100.134', 'ipv4:203.0.113.45']}}");

        ObjectNode tree = rfcLookup().lookup(q).toJson();

        ObjectNode expected = (ObjectNode) json(ENDPOINT_COST_ANSWER.replace("198.51.100.34", "198.51.100.134"));
        ((ObjectNode) expected.get("meta")).set("dependent-vtags", json("""
                [{"resource-id": "my-default-network-map", "tag": "da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785"},
                 {"resource-id": "num-routing-map", "tag": "c1"}]"""));
        assertEquals(expected, tree);
    }

    @Test
    void answersNumericalCosts() {
        EndpointCostAnswer answer = rfcLookup().lookup(query("{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'routingcost'},"
                + " 'endpoints': {'srcs': ['ipv4:203.0.113.1', 'ipv4:198.51.100.200'], 'dsts': ['ipv4:192.0.2.1', 'ipv6:2001:db8::1']}}"));

        // 203.0.113.1 is PID3, 198.51.100.200 is PID2; the IPv6 destination is PID3 (::/0), and PID3 to PID3 has no cost.
        assertEquals(Map.of(
                "ipv4:198.51.100.200", Map.of("ipv4:192.0.2.1", 5.0, "ipv6:2001:db8::1", 15.0),
                "ipv4:203.0.113.1", Map.of("ipv4:192.0.2.1", 20.0)), answer.costs());
        assertEquals(NUM_ROUTING, answer.costType());
        assertEquals(List.of(rfcNetworkMap().vtag(), COST_VTAG), answer.dependentVtags());
    }

    @Test
    void leavesOutSourcesWithNoKnownCost() {
        NetworkMap net = dualStackMap();
        CostMap sparse = new CostMap(new VersionTag("c", "1"), net.vtag(), NUM_ROUTING, Map.of("lan", Map.of("dc", 2.0)));
        EndpointCostAnswer answer = new EndpointCostLookup(net, List.of(sparse)).lookup(query(
                "{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'routingcost'},"
                        + " 'endpoints': {'srcs': ['ipv4:10.0.0.1', 'ipv4:8.8.8.8'], 'dsts': ['ipv6:2001:db8:d::5', 'ipv4:10.0.0.2']}}"));
        assertEquals(Map.of("ipv4:10.0.0.1", Map.of("ipv6:2001:db8:d::5", 2.0)), answer.costs());
    }

    @Test
    void appliesConstraintsToRanksOfAnOrdinalAnswer() {
        EndpointCostAnswer answer = dualStackLookup().lookup(query("{'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'},"
                + " 'constraints': ['le 2'], 'endpoints': {'srcs': ['ipv6:2001:db8:1::1'],"
                + " 'dsts': ['ipv6:2001:db8:d::1', 'ipv4:10.9.9.9', 'ipv4:1.1.1.1']}}"));
        assertEquals(Map.of("ipv6:2001:db8:1::1", Map.of("ipv4:10.9.9.9", 1.0, "ipv6:2001:db8:d::1", 2.0)), answer.costs());
    }

    @Test
    void prefersACostMapOfTheExactType() {
        NetworkMap net = rfcNetworkMap();
        CostMap ordinalMap = new CostMap(new VersionTag("ord", "1"), net.vtag(), ORD_ROUTING,
                Map.of("PID1", Map.of("PID2", 3.0)));
        EndpointCostAnswer answer = new EndpointCostLookup(net, List.of(rfcCostMap(), ordinalMap)).lookup(query(
                "{'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'},"
                        + " 'endpoints': {'srcs': ['ipv4:192.0.2.1'], 'dsts': ['ipv4:198.51.100.130', 'ipv4:192.0.2.9']}}"));
        assertEquals(Map.of("ipv4:192.0.2.1", Map.of("ipv4:198.51.100.130", 1.0)), answer.costs());
        assertEquals(new VersionTag("ord", "1"), answer.dependentVtags().get(1));
    }

    /** RFC 7285 §8.5.2: a subfield at fault is named by its full path, with its value as sent. */
    @Test
    void refusesACostTypeNoMapAnswersNamingTheMemberAtFault() {
        var metric = assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "cost-type/cost-metric", () -> rfcLookup().lookup(query(
                "{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'hopcount'},"
                        + " 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2']}}")));
        assertEquals("hopcount", metric.value());
        NetworkMap net = rfcNetworkMap();
        CostMap ordinalOnly = new CostMap(new VersionTag("ord", "1"), net.vtag(), ORD_ROUTING,
                Map.of("PID1", Map.of("PID2", 3.0)));
        var mode = assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "cost-type/cost-mode",
                () -> new EndpointCostLookup(net, List.of(ordinalOnly)).lookup(query(
                        "{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'routingcost'},"
                                + " 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2']}}")));
        assertEquals("numerical", mode.value());
        var seedNames = assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "mode",
                () -> new EndpointCostLookup(net, List.of(ordinalOnly)).costMap(
                        new CostType("routingcost", CostMode.NUMERICAL), "type", "mode"));
        assertEquals("numerical", seedNames.value());
    }

    @Test
    void refusesCostMapsOfAnotherNetworkMap() {
        assertThrows(IllegalArgumentException.class, () -> new EndpointCostLookup(dualStackMap(), List.of(rfcCostMap())));
    }

    @Test
    void ranksDestinationsByCostKeepingTheGivenOrderOnTiesAndEachOnesIndexAsGiven() {
        List<RankedEndpoint> ranked = dualStackLookup().rank(ip("ipv4:10.0.0.1"), List.of(
                ip("ipv4:192.0.2.1"), ip("ipv6:2001:db8:d::1"), ip("ipv4:10.0.0.9"), ip("ipv6:2001:db8::9"),
                ip("ipv4:10.0.0.9"), ip("ipv4:198.51.100.1")), ORD_ROUTING);

        assertEquals(List.of(
                new RankedEndpoint(ip("ipv4:10.0.0.9"), 1.0, 1, 2),
                new RankedEndpoint(ip("ipv6:2001:db8::9"), 1.0, 1, 3),
                new RankedEndpoint(ip("ipv6:2001:db8:d::1"), 4.0, 2, 1),
                new RankedEndpoint(ip("ipv4:192.0.2.1"), 9.0, 3, 0),
                new RankedEndpoint(ip("ipv4:198.51.100.1"), 9.0, 3, 5)), ranked);
    }

    @Test
    void ranksPeersInTheSourcesOwnPidFirstWhenTheMapHasNoCostFromAPidToItself() {
        // The seed's routing costs: no diagonal. A client in PID1 ranking peers must keep those in PID1.
        NetworkMap seed = new NetworkMap(new VersionTag("net", "1"), Map.of(
                "PID1", List.of(Fixtures.v4("128.36.0.0/16")),
                "PID2", List.of(Fixtures.v4("130.132.0.0/16")),
                "PID3", List.of(Fixtures.v4("0.0.0.0/0"))));
        CostMap costs = new CostMap(new VersionTag("rc", "1"), seed.vtag(), NUM_ROUTING, Map.of(
                "PID1", Map.of("PID2", 5.0, "PID3", 10.0),
                "PID2", Map.of("PID1", 5.0, "PID3", 15.0),
                "PID3", Map.of("PID1", 20.0, "PID2", 15.0)));
        EndpointCostLookup lookup = new EndpointCostLookup(seed, List.of(costs));

        List<RankedEndpoint> ranked = lookup.rank(ip("ipv4:128.36.1.1"), List.of(
                ip("ipv4:9.9.9.9"), ip("ipv4:130.132.1.1"), ip("ipv4:128.36.200.7")), NUM_ROUTING);

        assertEquals(List.of(
                new RankedEndpoint(ip("ipv4:128.36.200.7"), EndpointCostLookup.SAME_PID_COST, 1, 2),
                new RankedEndpoint(ip("ipv4:130.132.1.1"), 5.0, 2, 1),
                new RankedEndpoint(ip("ipv4:9.9.9.9"), 10.0, 3, 0)), ranked);
        // The endpoint cost service states only what the map states: no invented pair.
        EndpointCostAnswer answer = lookup.lookup(query("{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'routingcost'},"
                + " 'endpoints': {'srcs': ['ipv4:128.36.1.1'], 'dsts': ['ipv4:128.36.200.7', 'ipv4:130.132.1.1']}}"));
        assertEquals(Map.of("ipv4:128.36.1.1", Map.of("ipv4:130.132.1.1", 5.0)), answer.costs());
    }

    @Test
    void ranksNothingForASourceInNoPid() {
        NetworkMap v4only = new NetworkMap(new VersionTag("v4", "1"), Map.of("all", List.of(Fixtures.v4("0.0.0.0/0"))));
        CostMap costs = new CostMap(new VersionTag("c", "1"), v4only.vtag(), NUM_ROUTING, Map.of("all", Map.of("all", 1.0)));
        EndpointCostLookup lookup = new EndpointCostLookup(v4only, List.of(costs));

        assertTrue(lookup.rank(ip("ipv6:2001:db8::1"), List.of(ip("ipv4:1.2.3.4")), NUM_ROUTING).isEmpty());
        assertTrue(lookup.rank(ip("ipv4:1.2.3.4"), List.of(), NUM_ROUTING).isEmpty());
    }

    /**
     * An IPv4-mapped IPv6 endpoint stands for its IPv4 address (RFC 4291 §2.5.5.2): on the RFC's
     * map it has the IPv4 address's PID (PID1 to PID2: 5), not that of the IPv6 default {@code
     * ::/0} (PID3: 15, which it had), and the answer names it as the client wrote it.
     */
    @Test
    void answersForAnIpv4MappedEndpointAsForItsIpv4Address() {
        EndpointCostAnswer answer = rfcLookup().lookup(query("{'cost-type': {'cost-mode': 'numerical', 'cost-metric':"
                + " 'routingcost'}, 'endpoints': {'srcs': ['ipv6:::ffff:192.0.2.77'],"
                + " 'dsts': ['ipv6:::ffff:198.51.100.200', 'ipv4:198.51.100.200']}}"));
        assertEquals(Map.of("ipv6:::ffff:192.0.2.77", Map.of("ipv6:::ffff:198.51.100.200", 5.0,
                "ipv4:198.51.100.200", 5.0)), answer.costs());
        List<RankedEndpoint> ranked = rfcLookup().rank(ip("ipv6:::ffff:192.0.2.77"),
                List.of(ip("ipv6:::ffff:198.51.100.200")), NUM_ROUTING);
        assertEquals(List.of(new RankedEndpoint(ip("ipv6:::ffff:198.51.100.200"), 5.0, 1, 0)), ranked);
    }

    @Test
    void substitutesTheClientAddressForEmptyLists() {
        IpAddress client = ip("ipv4:192.0.2.77");
        EndpointCostQuery q = EndpointCostQuery.fromJson(json("{\"cost-type\": {\"cost-mode\": \"numerical\","
                + " \"cost-metric\": \"routingcost\"}, \"endpoints\": {\"dsts\": [\"ipv4:198.51.100.200\"]}}"), client);
        assertEquals(List.of(client), q.srcs());
        assertEquals(Map.of("ipv4:192.0.2.77", Map.of("ipv4:198.51.100.200", 5.0)), rfcLookup().lookup(q).costs());
    }

    @Test
    void equalRequestsHaveEqualCanonicalForms() {
        var a = query("{'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost', 'description': 'd'},"
                + " 'endpoints': {'srcs': ['ipv4:192.0.2.2'], 'dsts': ['ipv4:203.0.113.45', 'ipv6:2001:DB8::1', 'ipv4:203.0.113.45']}}");
        var b = query("{'cost-type': {'cost-metric': 'routingcost', 'cost-mode': 'ordinal'}, 'constraints': [],"
                + " 'endpoints': {'dsts': ['ipv6:2001:db8::1', 'ipv4:203.0.113.45'], 'srcs': ['ipv4:192.0.2.2']}}");
        assertEquals(a.toCanonicalJson(), b.toCanonicalJson());
        assertEquals(json("""
                {"constraints": [], "cost-type": {"cost-mode": "ordinal", "cost-metric": "routingcost"},
                 "endpoints": {"dsts": ["ipv4:203.0.113.45", "ipv6:2001:db8::1"], "srcs": ["ipv4:192.0.2.2"]}}
                """), a.toCanonicalJson());
    }

    /**
     * This server does not stand the client's address in for an absent or empty list (docs/protocol.md):
     * an absent {@code dsts} is a missing field, not an invalid value {@code "[]"} the client
     * never sent; an empty one is the {@code []} it sent. The same for {@code srcs}.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'srcs': ['ipv4:1.1.1.1']}              | E_MISSING_FIELD       | endpoints/dsts |",
        "{'dsts': ['ipv4:1.1.1.1']}              | E_MISSING_FIELD       | endpoints/srcs |",
        "{'srcs': ['ipv4:1.1.1.1'], 'dsts': []}  | E_INVALID_FIELD_VALUE | endpoints/dsts | []",
        "{'srcs': ['ipv4:1.1.1.1'], 'dsts': null} | E_MISSING_FIELD      | endpoints/dsts |",
    })
    void anAbsentListIsAMissingFieldAndAnEmptyOneTheEmptyListSent(String endpoints, AltoErrorCode code,
                                                                  String field, String value) {
        String body = "{'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': " + endpoints + "}";
        assertEquals(value, assertAltoError(code, field, () -> query(body)).value());
    }

    /**
     * RFC 7285 §8.5.2: "An array element of the wrong type (e.g., a number in what is supposed to
     * be an array of strings) is an invalid value error, not an invalid type error. The server
     * sets "value" to the string version of the incorrect element, and "field" to the name of the
     * array"; an element with a bad value names the array too; and a field is given by its full
     * path, {@code cost-type/cost-metric} in the RFC's own example.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "number among addresses | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': {'srcs': ['ipv4:1.1.1.1', 7], 'dsts': ['ipv4:1.1.1.2']}} | E_INVALID_FIELD_VALUE | endpoints/srcs | 7",
        "object among addresses | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': [{'a': null}]}} | E_INVALID_FIELD_VALUE | endpoints/dsts | {\"a\":null}",
        "bad address            | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2', 'ipv6:zz::1']}} | E_INVALID_FIELD_VALUE | endpoints/dsts | ipv6:zz::1",
        "bad constraint         | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'constraints': ['le 1', 'ne 1'], 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2']}} | E_INVALID_FIELD_VALUE | constraints | ne 1",
        "number as cost metric  | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 5}, 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2']}} | E_INVALID_FIELD_TYPE | cost-type/cost-metric |",
    })
    void namesTheArrayAndTheElementAsRfc7285Says(String name, String body, AltoErrorCode code, String field,
                                                  String value) {
        assertEquals(value, assertAltoError(code, field, () -> query(body)).value());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "cost-type missing       | {'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2']}}     | E_MISSING_FIELD       | cost-type",
        "endpoints missing       | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}}   | E_MISSING_FIELD       | endpoints",
        "endpoints is an array   | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': []} | E_INVALID_FIELD_TYPE | endpoints",
        "srcs empty, no client   | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': {'srcs': [], 'dsts': ['ipv4:1.1.1.2']}} | E_INVALID_FIELD_VALUE | endpoints/srcs",
        "dsts absent, no client  | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': {'srcs': ['ipv4:1.1.1.1']}} | E_MISSING_FIELD | endpoints/dsts",
        "bad destination         | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2', 'ipv6:zz::1']}} | E_INVALID_FIELD_VALUE | endpoints/dsts",
        "source not a string     | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'endpoints': {'srcs': [7], 'dsts': ['ipv4:1.1.1.2']}} | E_INVALID_FIELD_VALUE | endpoints/srcs",
        "bad constraint          | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'constraints': ['ne 1'], 'endpoints': {'srcs': ['ipv4:1.1.1.1'], 'dsts': ['ipv4:1.1.1.2']}} | E_INVALID_FIELD_VALUE | constraints",
    })
    void reportsTheFieldAtFault(String name, String body, AltoErrorCode code, String field) {
        assertAltoError(code, field, () -> query(body));
    }
}

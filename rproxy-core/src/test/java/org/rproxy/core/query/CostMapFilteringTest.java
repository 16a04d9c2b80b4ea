package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.COST_MAP_FILTER;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;
import static org.rproxy.core.query.Fixtures.rfcCostMap;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;

class CostMapFilteringTest {
    private static final String NUM = "'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'routingcost'}";
    private static final String ORD = "'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}";

    private static CostMapFilter filter(String body) {
        return CostMapFilter.fromJson(json(body.replace('\'', '"')));
    }

    private static Map<String, Map<String, Double>> apply(String body) {
        return CostMapFiltering.apply(rfcCostMap(), filter(body)).costs();
    }

    @Test
    void answersTheRfcExample() {
        CostMap out = CostMapFiltering.apply(rfcCostMap(), CostMapFilter.fromJson(json(COST_MAP_FILTER)));

        assertEquals(json("""
                {"meta": {"dependent-vtags": [{"resource-id": "my-default-network-map",
                                               "tag": "3ee2cb7e8d63d9fab71b9b34cbf764436315542e"}],
                          "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"}},
                 "cost-map": {"PID1": {"PID1": 1, "PID2": 5, "PID3": 10}}}
                """), AltoJson.writeCostMap(out, false));
    }

    @Test
    void absentPidsMeanAllSourcesAndDestinations() {
        assertEquals(rfcCostMap().costs(), apply("{" + NUM + "}"));
    }

    @Test
    void emptyListsMeanAllPids() {
        assertEquals(rfcCostMap().costs(), apply("{" + NUM + ", 'pids': {'srcs': [], 'dsts': []}}"));
        assertEquals(Map.of("PID1", Map.of("PID3", 10.0), "PID2", Map.of("PID3", 15.0)),
                apply("{" + NUM + ", 'pids': {'srcs': [], 'dsts': ['PID3']}}"));
    }

    @Test
    void ignoresUnknownPidsAndPairsWithoutCost() {
        assertEquals(Map.of("PID3", Map.of("PID2", 15.0)),
                apply("{" + NUM + ", 'pids': {'srcs': ['PID3', 'PID7'], 'dsts': ['PID2', 'PID3', 'PID8']}}"));
    }

    @Test
    void onlyUnknownPidsSelectNothing() {
        assertTrue(apply("{" + NUM + ", 'pids': {'srcs': ['PID7'], 'dsts': []}}").isEmpty());
    }

    @Test
    void keepsOnlyCostsThatMeetEveryConstraint() {
        assertEquals(Map.of("PID1", Map.of("PID2", 5.0, "PID3", 10.0), "PID2", Map.of("PID1", 5.0)),
                apply("{" + NUM + ", 'constraints': ['gt 1', 'le 10']}"),
                "PID3 keeps no cost and is left out");
    }

    @Test
    void answersOrdinalFromANumericalMapWithRanksOverTheWholeMap() {
        CostMap out = CostMapFiltering.apply(rfcCostMap(), filter("{" + ORD + ", 'pids': {'srcs': ['PID2'], 'dsts': []}}"));

        assertEquals(new CostType("routingcost", CostMode.ORDINAL), out.costType());
        assertEquals(Map.of("PID2", Map.of("PID1", 2.0, "PID2", 1.0, "PID3", 4.0)), out.costs(),
                "ranks among all costs 1, 5, 10, 15, 20 of the map, not just the row");
    }

    @Test
    void theOrdinalViewOfAMapVersionIsMadeOnceForAllItsRequests() {
        // ranking sorts every cost of the map: a filter for one pair must not pay it each time
        CostMap numerical = rfcCostMap();
        CostType ordinal = new CostType("routingcost", CostMode.ORDINAL);
        CostMap first = CostMapFiltering.view(numerical, ordinal, "cost-type");
        assertSame(first, CostMapFiltering.view(numerical, ordinal, "cost-type"));
        assertNotSame(first, CostMapFiltering.view(rfcCostMap(), ordinal, "cost-type"), "another version, another view");
    }

    @Test
    void constraintsOnAnOrdinalAnswerCompareRanks() {
        assertEquals(Map.of("PID1", Map.of("PID1", 1.0), "PID2", Map.of("PID2", 1.0)),
                apply("{" + ORD + ", 'constraints': ['eq 1']}"));
    }

    @Test
    void refusesACostTypeTheMapCannotAnswer() {
        assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "cost-type",
                () -> apply("{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'hopcount'}}"));
        CostMap ordinal = OrdinalCosts.of(rfcCostMap());
        assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "cost-type",
                () -> CostMapFiltering.apply(ordinal, filter("{" + NUM + "}")));
    }

    @Test
    void readsTheRfcRequest() {
        CostMapFilter f = CostMapFilter.fromJson(json(COST_MAP_FILTER));
        assertEquals(new CostMapFilter(new CostType("routingcost", CostMode.NUMERICAL),
                List.of("PID1"), List.of("PID1", "PID2", "PID3"), List.of()), f);
    }

    @Test
    void treatsAMissingListInsidePidsAsEmpty() {
        assertEquals(List.of(), filter("{" + NUM + ", 'pids': {'srcs': ['PID1']}}").dsts());
    }

    @Test
    void equalRequestsHaveEqualCanonicalForms() {
        CostMapFilter a = filter("{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'routingcost', 'description': 'x'},"
                + " 'constraints': ['le 10', 'gt 1.0', 'le 10'], 'pids': {'srcs': ['B', 'A'], 'dsts': []}}");
        CostMapFilter b = filter("{" + NUM + ", 'constraints': ['gt 1', 'le 10.0'], 'pids': {'dsts': [], 'srcs': ['A', 'B', 'A']}}");

        assertEquals(a.toCanonicalJson(), b.toCanonicalJson());
        assertEquals(json("""
                {"constraints": ["le 10", "gt 1"],
                 "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
                 "pids": {"dsts": [], "srcs": ["A", "B"]}}
                """), a.toCanonicalJson());
        assertNotEquals(a.toCanonicalJson(), filter("{" + ORD + ", 'constraints': ['gt 1', 'le 10'],"
                + " 'pids': {'srcs': ['A', 'B'], 'dsts': []}}").toCanonicalJson());
    }

    @Test
    void canonicalFormDoesNotDependOnDescription() {
        assertEquals(filter("{" + NUM + "}").toCanonicalJson(),
                filter("{'cost-type': {'cost-mode': 'numerical', 'cost-metric': 'routingcost', 'description': 'd'}}")
                        .toCanonicalJson());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "cost-type missing        | {'pids': {'srcs': [], 'dsts': []}}                        | E_MISSING_FIELD       | cost-type",
        "cost-type is a string    | {'cost-type': 'routingcost'}                              | E_INVALID_FIELD_TYPE  | cost-type",
        "unknown cost mode        | {'cost-type': {'cost-mode': 'best', 'cost-metric': 'routingcost'}} | E_INVALID_FIELD_VALUE | cost-type/cost-mode",
        "cost metric missing      | {'cost-type': {'cost-mode': 'ordinal'}}                   | E_MISSING_FIELD       | cost-type/cost-metric",
        "pids is an array         | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'pids': []} | E_INVALID_FIELD_TYPE | pids",
        "bad source PID           | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'pids': {'srcs': ['A', 'B!'], 'dsts': []}} | E_INVALID_FIELD_VALUE | pids/srcs",
        "destination not a string | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'pids': {'srcs': [], 'dsts': [{}]}} | E_INVALID_FIELD_VALUE | pids/dsts",
        "constraints is a string  | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'constraints': 'le 5'} | E_INVALID_FIELD_TYPE | constraints",
        "bad constraint           | {'cost-type': {'cost-mode': 'ordinal', 'cost-metric': 'routingcost'}, 'constraints': ['le 5', 'about 5']} | E_INVALID_FIELD_VALUE | constraints",
    })
    void reportsTheFieldAtFault(String name, String body, AltoErrorCode code, String field) {
        assertAltoError(code, field, () -> filter(body));
    }
}

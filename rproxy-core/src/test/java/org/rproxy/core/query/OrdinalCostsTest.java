package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.rproxy.core.query.Fixtures.COST_VTAG;
import static org.rproxy.core.query.Fixtures.rfcCostMap;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.VersionTag;

class OrdinalCostsTest {

    private static Map<String, Double> row(Object... keysAndCosts) {
        Map<String, Double> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndCosts.length; i += 2) {
            row.put((String) keysAndCosts[i], ((Number) keysAndCosts[i + 1]).doubleValue());
        }
        return row;
    }

    @Test
    void ranksARowDenselyWithTiesSharingARank() {
        Map<String, Integer> ranks = OrdinalCosts.rank(row("a", 9, "b", 5, "c", 7, "d", 7));
        assertEquals(Map.of("a", 3, "b", 1, "c", 2, "d", 2), ranks);
        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(ranks.keySet()), "keeps the row's order");
    }

    @Test
    void ranksAnEmptyRow() {
        assertEquals(Map.of(), OrdinalCosts.rank(Map.of()));
    }

    @Test
    void negativeAndPositiveZeroShareARank() {
        assertEquals(Map.of("a", 1, "b", 1, "c", 2), OrdinalCosts.rank(row("a", -0.0, "b", 0.0, "c", 0.5)));
    }

    @Test
    void ranksTheRfcCostMapAgainstAllItsCosts() {
        CostMap ordinal = OrdinalCosts.of(rfcCostMap());

        // Distinct costs of the map: 1, 5, 10, 15, 20.
        assertEquals(new CostType("routingcost", CostMode.ORDINAL), ordinal.costType());
        assertEquals(Map.of(
                "PID1", Map.of("PID1", 1.0, "PID2", 2.0, "PID3", 3.0),
                "PID2", Map.of("PID1", 2.0, "PID2", 1.0, "PID3", 4.0),
                "PID3", Map.of("PID1", 5.0, "PID2", 4.0)), ordinal.costs());
        assertEquals(COST_VTAG, ordinal.vtag());
    }

    @Test
    void returnsAnOrdinalMapAsItIs() {
        CostMap ordinal = new CostMap(new VersionTag("o", "1"), new VersionTag("n", "1"),
                new CostType("hopcount", CostMode.ORDINAL), Map.of("A", Map.of("A", 1.0, "B", 3.0)));
        assertSame(ordinal, OrdinalCosts.of(ordinal));
    }
}

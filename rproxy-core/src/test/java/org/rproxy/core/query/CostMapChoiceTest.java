package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.query.Fixtures.rfcNetworkMap;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.VersionTag;

/** The one rule for which cost map an answer is computed from. */
class CostMapChoiceTest {
    private static final CostType NUM = new CostType("routingcost", CostMode.NUMERICAL);
    private static final CostType ORD = new CostType("routingcost", CostMode.ORDINAL);
    private static final CostType HOPS = new CostType("hopcount", CostMode.NUMERICAL);

    private static CostMap map(String id, CostType type) {
        return new CostMap(new VersionTag(id, "1"), rfcNetworkMap().vtag(), type, Map.of("PID1", Map.of("PID2", 1.0)));
    }

    private final CostMap num = map("routingcost-num", NUM);
    private final CostMap ord = map("routingcost-ord", ORD);
    private final CostMap hops = map("hopcount", HOPS);

    @Test
    void anOrdinalRequestTakesThePublishedOrdinalMapInAnyOrder() {
        assertEquals(Optional.of(ord), CostMapChoice.of(List.of(num, ord, hops), ORD));
        assertEquals(Optional.of(ord), CostMapChoice.of(List.of(ord, num), ORD));
    }

    @Test
    void anOrdinalRequestRanksTheNumericalMapWhenNoOrdinalMapIsPublished() {
        assertEquals(Optional.of(num), CostMapChoice.of(List.of(hops, num), ORD));
    }

    @Test
    void aNumericalRequestTakesOnlyANumericalMapOfItsMetric() {
        assertEquals(Optional.of(num), CostMapChoice.of(List.of(ord, num), NUM));
        assertEquals(Optional.empty(), CostMapChoice.of(List.of(ord, hops), NUM));
        assertEquals(Optional.empty(), CostMapChoice.of(List.of(), NUM));
    }

    @Test
    void twoMapsOfOneTypeGoToTheLowestResourceId() {
        CostMap other = map("a-routingcost-ord", ORD);
        assertEquals(Optional.of(other), CostMapChoice.of(List.of(ord, other), ORD));
        assertEquals(Optional.of(other), CostMapChoice.of(List.of(other, ord), ORD));
    }
}

package org.rproxy.harness.churn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.MapSet;
import org.rproxy.harness.topology.MapsWriter;
import org.rproxy.harness.topology.TopologyGenerator;
import org.rproxy.harness.topology.TopologySpec;
import org.rproxy.origin.MapsFolder;

class ChurnerTest {
    @TempDir
    Path dir;

    @Test
    void aRoundChangesAboutTheAskedShareOfCostsAndTheFolderStaysValid() throws Exception {
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(40, 3, 1)), dir);
        MapSet before = MapsFolder.load(dir);
        Churner churner = new Churner(dir, 0.1, 0, 5);
        Churner.Round r = churner.round();
        MapSet after = MapsFolder.load(dir);
        CostMap b = before.costMaps().get("routingcost-map");
        CostMap a = after.costMaps().get("routingcost-map");
        int differ = 0;
        for (String s : b.costs().keySet()) {
            for (String d : b.costs().get(s).keySet()) {
                if (!b.cost(s, d).equals(a.cost(s, d))) {
                    differ++;
                }
                assertEquals(a.cost(s, d), a.cost(d, s), "changes keep costs symmetric");
            }
        }
        // 41 PIDs: 820 unordered pairs, 82 picked (a few twice or unchanged by rounding), both directions
        assertTrue(differ > 100 && differ <= 164, "changed " + differ);
        assertTrue(r.costsChanged() >= differ / 2, r.toString());
        assertNull(r.moved());
        assertEquals(before.defaultMap().vtag().tag(), after.defaultMap().vtag().tag(), "no prefix moved");
        assertNotEquals(b.vtag().tag(), a.vtag().tag());
    }

    @Test
    void theOrdinalMapFollowsTheChangedNumericalMap() throws Exception {
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(20, 1, 2)), dir);
        new Churner(dir, 0.3, 0, 9).round();
        MapSet m = MapsFolder.load(dir);
        CostMap num = m.costMaps().get("routingcost-map");
        CostMap ord = m.costMaps().get("routingcost-ordinal-map");
        for (String s : num.costs().keySet()) {
            for (String x : num.costs().get(s).keySet()) {
                for (String y : num.costs().get(s).keySet()) {
                    assertEquals(Double.compare(num.cost(s, x), num.cost(s, y)),
                            Double.compare(ord.cost(s, x), ord.cost(s, y)), s + ": " + x + " vs " + y);
                }
            }
        }
    }

    @Test
    void aMovedPrefixLeavesOnePidForAnotherAndTheMapStaysComplete() throws Exception {
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(10, 4, 3)), dir);
        MapSet before = MapsFolder.load(dir);
        Churner churner = new Churner(dir, 0.01, 1, 4);
        Churner.Round r = churner.round();
        assertNotNull(r.moved());
        assertTrue(r.written().contains(dir.resolve(MapsWriter.NETWORK_MAP_FILE)));
        MapSet after = MapsFolder.load(dir);
        assertNotEquals(before.defaultMap().vtag().tag(), after.defaultMap().vtag().tag());
        String[] parts = r.moved().split(" ");
        String prefix = parts[0];
        assertTrue(before.defaultMap().pids().get(parts[1]).stream().anyMatch(c -> c.toString().equals(prefix)));
        assertTrue(after.defaultMap().pids().get(parts[3]).stream().anyMatch(c -> c.toString().equals(prefix)));
        assertFalse(after.defaultMap().pids().get(parts[1]).stream().anyMatch(c -> c.toString().equals(prefix)));
        assertEquals(after.defaultMap().vtag().tag(), after.costMaps().get("hopcount-map").dependentVtag().tag());
    }

    @Test
    void noTemporaryFileIsLeftBehind() throws Exception {
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(10, 2, 3)), dir);
        Churner churner = new Churner(dir, 0.2, 1, 4);
        churner.round();
        churner.round();
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("hopcount-map.json", "network-map.json", "routingcost-map.json",
                    "routingcost-ordinal-map.json"), names);
        }
    }
}

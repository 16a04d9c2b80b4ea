package org.rproxy.harness.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.origin.MapsFolder;

class TopologyGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOtherBytes() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(60, 5, 42)), a);
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(60, 5, 42)), b);
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(60, 5, 43)), c);
        for (String f : List.of("network-map.json", "routingcost-map.json", "hopcount-map.json",
                "routingcost-ordinal-map.json")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        assertFalse(Files.readString(a.resolve("routingcost-map.json")).equals(Files.readString(c.resolve("routingcost-map.json"))));
    }

    @Test
    void theWrittenFolderLoadsAsACompleteMapWithEveryPairCosted() throws Exception {
        Topology topo = TopologyGenerator.generate(TopologySpec.of(40, 6, 7));
        MapsWriter.write(topo, dir);
        MapSet maps = MapsFolder.load(dir);
        NetworkMap net = maps.defaultMap();
        assertEquals(MapsWriter.NETWORK_MAP_ID, net.vtag().resourceId());
        assertEquals(41, net.pids().size());
        assertEquals(List.of("0.0.0.0/0"), net.pids().get(Topology.DEFAULT_PID).stream().map(Object::toString).toList());
        assertEquals(3, maps.costMaps().size());
        for (CostMap cm : maps.costMaps().values()) {
            assertEquals(MapsWriter.NETWORK_MAP_ID, cm.dependentVtag().resourceId());
            assertEquals(net.vtag().tag(), cm.dependentVtag().tag());
            assertEquals(41, cm.costs().size(), cm.vtag().resourceId());
            cm.costs().values().forEach(row -> assertEquals(41, row.size()));
        }
        assertEquals(CostMode.ORDINAL, maps.costMaps().get("routingcost-ordinal-map").costType().mode());
        // an address of every PoP prefix resolves to that PoP; one outside resolves to the default
        PrefixIndex index = net.index();
        for (int i = 0; i < topo.pidCount() - 1; i++) {
            for (String p : topo.prefixes(i)) {
                IpAddress first = IpAddress.parseLiteral(p.substring(0, p.indexOf('/')), "x");
                assertEquals(topo.pid(i), index.pidOf(first).orElseThrow(), p);
            }
        }
        assertEquals(Topology.DEFAULT_PID, index.pidOf(IpAddress.parseLiteral("8.8.8.8", "x")).orElseThrow());
    }

    @Test
    void poPPrefixesNeverOverlapNorTouchSpecialPurposeSpace() {
        Topology topo = TopologyGenerator.generate(TopologySpec.of(300, 40, 3));
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < topo.pidCount() - 1; i++) {
            for (long p : topo.rawPrefixes(i)) {
                long start = p >>> 8;
                ranges.add(new long[] {start, start + (1L << (32 - (p & 255)))});
            }
        }
        assertEquals(12_000, ranges.size());
        ranges.sort((x, y) -> Long.compare(x[0], y[0]));
        for (int i = 1; i < ranges.size(); i++) {
            assertTrue(ranges.get(i)[0] >= ranges.get(i - 1)[1], "overlap at " + i);
        }
        for (long[] r : ranges) {
            assertTrue(r[0] >= PrefixAllocator.ip(16, 0, 0, 0) && r[1] <= PrefixAllocator.ip(224, 0, 0, 0));
            assertFalse(r[0] < PrefixAllocator.ip(128, 0, 0, 0) && r[1] > PrefixAllocator.ip(127, 0, 0, 0), "loopback");
            assertFalse(r[0] < PrefixAllocator.ip(172, 32, 0, 0) && r[1] > PrefixAllocator.ip(172, 16, 0, 0), "private");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"routingcost", "hopcount"})
    void costsAreSymmetricZeroOnTheDiagonalAndObeyTheTriangleInequality(String metric) {
        Topology topo = TopologyGenerator.generate(TopologySpec.of(80, 1, 11));
        int n = topo.pidCount();
        for (int a = 0; a < n; a++) {
            assertEquals(0, topo.cost(metric, a, a));
            for (int b = 0; b < n; b++) {
                int ab = topo.cost(metric, a, b);
                assertEquals(ab, topo.cost(metric, b, a), a + "<->" + b);
                if (a != b) {
                    assertTrue(ab > 0, a + "->" + b + " = " + ab);
                }
                if (a == n - 1 || b == n - 1) {
                    continue; // the default PID's costs include transit; the backbone's obey the triangle rule
                }
                for (int c = 0; c < n - 1; c++) {
                    assertTrue(ab <= topo.cost(metric, a, c) + topo.cost(metric, c, b), a + "," + c + "," + b);
                }
            }
        }
    }

    @Test
    void theOrdinalRowRanksTheCheapestFirstAndTiesTogether() {
        Topology topo = TopologyGenerator.generate(TopologySpec.of(30, 1, 5));
        for (int s = 0; s < topo.pidCount(); s++) {
            int[] ranks = topo.ordinalRow("hopcount", s);
            assertEquals(1, ranks[s]);
            for (int a = 0; a < ranks.length; a++) {
                for (int b = 0; b < ranks.length; b++) {
                    int ca = topo.cost("hopcount", s, a);
                    int cb = topo.cost("hopcount", s, b);
                    assertEquals(Integer.signum(ca - cb), Integer.signum(ranks[a] - ranks[b]), s + ":" + a + "," + b);
                }
            }
        }
    }

    @Test
    void theDefaultPidIsReachedThroughTheNearestBorderPlusTransit() {
        Topology topo = TopologyGenerator.generate(TopologySpec.of(50, 1, 9));
        int def = topo.pidCount() - 1;
        int nearBorder = Integer.MAX_VALUE;
        for (int s = 0; s < def; s++) {
            nearBorder = Math.min(nearBorder, topo.cost("routingcost", s, def));
        }
        assertEquals(TopologyGenerator.TRANSIT_COST, nearBorder, "a border PoP pays exactly the transit cost");
    }

    @Test
    void badSpecsAreRefusedNamingTheField() {
        assertThrows(IllegalArgumentException.class, () -> new TopologySpec(0, 1, TopologySpec.METRICS, true, 2, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TopologySpec(5, 1, List.of("delay"), true, 2, 1));
        assertTrue(e.getMessage().startsWith("--cost-types: delay"), e.getMessage());
        Topology topo = TopologyGenerator.generate(new TopologySpec(5, 1, List.of("routingcost"), false, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> topo.cost("hopcount", 0, 1));
    }
}

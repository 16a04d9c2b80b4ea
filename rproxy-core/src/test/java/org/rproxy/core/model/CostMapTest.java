package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cost map's checks (RFC 7285 §11.2.3.6, §6.1.2.2), made alike whether the costs come as
 * any map or through {@link CostRows}, and its primitive accessors.
 */
class CostMapTest {
    private static final VersionTag VTAG = new VersionTag("costs", "c1");
    private static final VersionTag NET = new VersionTag("net", "n1");
    private static final CostType NUM = new CostType("routingcost", CostMode.NUMERICAL);
    private static final CostType ORD = new CostType("routingcost", CostMode.ORDINAL);

    /** Rows as text, {@code "src:dst=cost,dst=cost;src:..."}, in the order written. */
    private static Map<String, Map<String, Double>> rows(String spec) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String row : spec.split(";")) {
            String[] head = row.split(":", 2);
            Map<String, Double> r = new LinkedHashMap<>();
            if (head.length > 1 && !head[1].isEmpty()) {
                for (String cost : head[1].split(",")) {
                    String[] kv = cost.split("=");
                    r.put(kv[0], Double.parseDouble(kv[1]));
                }
            }
            out.put(head[0], r);
        }
        return out;
    }

    private static CostMap collected(Map<String, Map<String, Double>> costs, CostType type) {
        CostRows rows = new CostRows();
        costs.forEach((src, row) -> {
            rows.startRow(src);
            row.forEach(rows::add);
            rows.endRow();
        });
        return rows.build(VTAG, NET, type);
    }

    private static AltoError error(Runnable r) {
        return assertThrows(AltoException.class, r::run).error();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the first sorted pair, not the first   | NUMERICAL | b:x=1;a:c=NaN,b=Infinity   | cost-map/a/b    | Infinity",
        "NaN                                    | NUMERICAL | a:b=1,c=NaN                | cost-map/a/c    | NaN",
        "infinity                               | NUMERICAL | a:b=1,c=-Infinity          | cost-map/a/c    | -Infinity",
        "bad destination sorts before a bad cost| ORDINAL   | a:z=1.5,!bad=1             | cost-map/a/!bad | !bad",
        "bad cost sorts before a bad name       | ORDINAL   | a:b=0.5,c!=1               | cost-map/a/b    | 0.5",
        "bad source, sorted first               | NUMERICAL | b:c=1;!a:b=1               | cost-map/!a     | !a",
        "source row sorted before a bad cost    | ORDINAL   | z:a=2.5;m:a=3;m!:a=1       | cost-map/m!     | m!",
        "ordinal cost below one                 | ORDINAL   | a:a=1,b=0                  | cost-map/a/b    | 0.0",
    })
    void refusesTheFirstFaultInSortedOrderWhicheverWayItIsBuilt(String name, CostMode mode, String spec,
                                                                  String field, String value) {
        CostType type = mode == CostMode.ORDINAL ? ORD : NUM;
        AltoError fromMap = error(() -> new CostMap(VTAG, NET, type, rows(spec)));
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, fromMap.code());
        assertEquals(field, fromMap.field());
        assertEquals(value, fromMap.value());
        assertEquals(fromMap, error(() -> collected(rows(spec), type)));
    }

    @Test
    void aNullCostIsRefusedLikeANonFiniteOne() {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("b", null);
        AltoError e = error(() -> new CostMap(VTAG, NET, NUM, Map.of("a", row)));
        assertEquals("cost-map/a/b", e.field());
        assertEquals("null", e.value());
    }

    @Test
    void rowsCollectedInAnyOrderGiveTheSameMapAsTheConstructor() {
        String spec = "p3:p1=4,p2=1;p1:p3=2.5,p1=0,p2=-1;p10:;p2:p10=7";
        CostMap direct = new CostMap(VTAG, NET, NUM, rows(spec));
        CostMap collected = collected(rows(spec), NUM);
        assertEquals(direct, collected);
        assertEquals(direct.hashCode(), collected.hashCode());
        assertEquals(List.of("p1", "p10", "p2", "p3"), new ArrayList<>(collected.costs().keySet()));
        assertEquals(List.of("p1", "p2", "p3"), new ArrayList<>(collected.costs().get("p1").keySet()));
        assertEquals(Map.of(), collected.costs().get("p10"));
    }

    @Test
    void aRepeatedSourceOrDestinationIsTheCollectorsBug() {
        CostRows twice = new CostRows();
        twice.startRow("a");
        twice.endRow();
        twice.startRow("a");
        twice.endRow();
        assertThrows(IllegalArgumentException.class, () -> twice.build(VTAG, NET, NUM));
        CostRows repeated = new CostRows();
        repeated.startRow("a");
        repeated.add("b", 1);
        repeated.add("b", 2);
        repeated.endRow();
        assertThrows(IllegalArgumentException.class, () -> repeated.build(VTAG, NET, NUM));
    }

    @Test
    void visitsTheCostsOfOneRowInOrderWithoutBoxing() {
        CostMap map = new CostMap(VTAG, NET, NUM, rows("a:c=3,b=2;b:a=1"));
        List<String> seen = new ArrayList<>();
        map.forEachCost("a", (dst, cost) -> seen.add(dst + "=" + cost));
        map.forEachCost("zz", (dst, cost) -> seen.add("zz"));
        assertEquals(List.of("b=2.0", "c=3.0"), seen);
        assertEquals(2.0, map.cost("a", "b"));
        assertNull(map.cost("a", "a"));
        assertNull(map.cost("c", "a"));
    }

    @Test
    void mapsCostsKeepingThePairsAndChecksTheResultForTheNewType() {
        CostMap map = new CostMap(VTAG, NET, NUM, rows("a:a=0.5,b=2;b:a=7"));
        CostMap doubled = map.withCosts(ORD, c -> c * 2);
        assertEquals(rows("a:a=1,b=4;b:a=14"), doubled.costs());
        assertEquals(ORD, doubled.costType());
        assertEquals(VTAG, doubled.vtag());
        assertEquals(rows("a:a=0.5,b=2;b:a=7"), map.costs());
        AltoError e = error(() -> map.withCosts(ORD, c -> c));
        assertEquals("cost-map/a/a", e.field());
        assertEquals("cost-map/b/a", error(() -> map.withCosts(NUM, c -> c > 5 ? Double.NaN : c)).field());
    }

    @Test
    void anotherMapsCostsAreReusedWhenTheyFitTheTypeAndCheckedWhenNot() {
        CostMap whole = new CostMap(VTAG, NET, NUM, rows("a:a=1,b=2;b:a=7"));
        assertSame(whole.costs(), new CostMap(VTAG, NET, ORD, whole.costs()).costs());
        CostMap fractional = new CostMap(VTAG, NET, NUM, rows("a:a=1,b=2.5;b:a=0.5"));
        AltoError e = error(() -> new CostMap(VTAG, NET, ORD, fractional.costs()));
        assertEquals(error(() -> new CostMap(VTAG, NET, ORD, new TreeMap<>(fractional.costs()))), e);
        assertEquals("cost-map/a/b", e.field());
    }

    @Test
    void checksItsPidsAgainstTheNetworkMapSourcesFirst() {
        NetworkMap net = new NetworkMap(NET, Map.of(
                "a", List.of(Cidr.parse("0.0.0.0/0", false, "t"), Cidr.parse("::/0", true, "t")),
                "b", List.of(Cidr.parse("10.0.0.0/8", false, "t"))));
        new CostMap(VTAG, NET, NUM, rows("a:a=1,b=2;b:a=3")).checkAgainst(net);
        AltoError dst = error(() -> new CostMap(VTAG, NET, NUM, rows("b:a=1;a:a=1,x=2,c=3")).checkAgainst(net));
        assertEquals("cost-map/a/c", dst.field());
        assertEquals("cost-map/a/c: destination PID c is not in network map net", dst.message());
        AltoError row = error(() -> new CostMap(VTAG, NET, NUM, rows("c:a=1;b:x=1")).checkAgainst(net));
        assertEquals("cost-map/b/x", row.field());
        AltoError first = error(() -> new CostMap(VTAG, NET, NUM, rows("c:a=1;d:x=1")).checkAgainst(net));
        assertEquals("cost-map/c", first.field());
        assertEquals("cost-map/c: source PID c is not in network map net", first.message());
        AltoError other = error(() -> new CostMap(VTAG, new VersionTag("other", "o"), NUM, rows("a:a=1")).checkAgainst(net));
        assertEquals("meta/dependent-vtags", other.field());
    }
}

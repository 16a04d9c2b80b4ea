package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.DoublePredicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The map views over a cost map's compact table, checked against tree maps of the same content. */
class CostTableTest {
    private static final CostType NUM = new CostType("routingcost", CostMode.NUMERICAL);

    /**
     * Ten PIDs; {@code p0} names all ten (dense), {@code p1} eight (dense, two missing), {@code p2}
     * two (sparse), {@code p3} none. Inserted in reverse order so the table must sort them.
     */
    private static TreeMap<String, Map<String, Double>> expected() {
        TreeMap<String, Map<String, Double>> m = new TreeMap<>();
        m.put("p0", row(10, 0));
        m.put("p1", row(8, 1));
        TreeMap<String, Double> sparse = new TreeMap<>();
        sparse.put("p9", 0.5);
        sparse.put("p10", -0.0);
        m.put("p2", sparse);
        m.put("p3", new TreeMap<>());
        return m;
    }

    private static TreeMap<String, Double> row(int n, int seed) {
        TreeMap<String, Double> r = new TreeMap<>();
        for (int i = n - 1; i >= 0; i--) {
            r.put("p" + (i + 10 - n), (double) (i * 7 + seed));
        }
        return r;
    }

    private static Map<String, Map<String, Double>> table() {
        Map<String, Map<String, Double>> reversed = new java.util.LinkedHashMap<>();
        expected().descendingMap().forEach(reversed::put);
        return new CostMap(new VersionTag("c", "1"), new VersionTag("n", "1"), NUM, reversed).costs();
    }

    @Test
    void rowsAreStoredDenseOrSparseByHowManyNamesTheyCover() {
        CostTable t = (CostTable) table();
        assertTrue(t.row("p0").dense());
        assertTrue(t.row("p1").dense());
        assertFalse(t.row("p2").dense());
        assertFalse(t.row("p3").dense());
    }

    @Test
    void readsAsTheTreeMapOfTheSameContent() {
        Map<String, Map<String, Double>> t = table();
        TreeMap<String, Map<String, Double>> e = expected();
        assertEquals(e, t);
        assertEquals(t, e);
        assertEquals(e.hashCode(), t.hashCode());
        assertEquals(e.toString(), t.toString());
        assertEquals(e.size(), t.size());
        e.forEach((src, row) -> {
            assertEquals(row, t.get(src), src);
            assertEquals(t.get(src), row, src);
            assertEquals(row.hashCode(), t.get(src).hashCode(), src);
            assertEquals(row.size(), t.get(src).size(), src);
            assertEquals(row.isEmpty(), t.get(src).isEmpty(), src);
        });
    }

    @Test
    void iteratesSourcesAndDestinationsInStringOrder() {
        Map<String, Map<String, Double>> t = table();
        assertEquals(new ArrayList<>(expected().keySet()), new ArrayList<>(t.keySet()));
        // "p10" sorts before "p2": String order, not numeric.
        assertEquals(List.of("p10", "p9"), new ArrayList<>(t.get("p2").keySet()));
        assertEquals(new ArrayList<>(expected().get("p1").entrySet()), new ArrayList<>(t.get("p1").entrySet()));
        assertEquals(new ArrayList<>(expected().get("p1").values()), new ArrayList<>(t.get("p1").values()));
    }

    @Test
    void missingPairsAreAbsentNotZero() {
        Map<String, Double> p1 = table().get("p1");
        assertNull(p1.get("p0"));
        assertFalse(p1.containsKey("p0"));
        assertFalse(p1.containsKey("p1"));
        assertTrue(p1.containsKey("p2"));
        assertEquals(8.0, p1.get("p3"));
        assertNull(table().get("p3").get("p0"));
    }

    @Test
    void negativeZeroStaysNegativeZero() {
        // Double.equals tells -0.0 from 0.0, and so does a TreeMap of the same content.
        assertEquals(-0.0, table().get("p2").get("p10"));
        assertNotEquals(Map.of("p10", 0.0, "p9", 0.5), table().get("p2"));
    }

    @Test
    void unknownAndForeignKeysReadAsAbsent() {
        Map<String, Map<String, Double>> t = table();
        assertNull(t.get("p4"));
        assertNull(t.get("nowhere"));
        assertNull(t.get(1));
        assertNull(t.get(null));
        assertFalse(t.containsKey(null));
        Map<String, Double> p0 = t.get("p0");
        assertNull(p0.get("nowhere"));
        assertNull(p0.get("p00"));
        assertNull(p0.get(0));
        assertNull(p0.get(null));
        assertFalse(p0.containsKey(null));
        assertFalse(t.get("p2").containsKey("p0"));
    }

    @Test
    void differsFromAMapWithOneCostChanged() {
        TreeMap<String, Map<String, Double>> e = expected();
        TreeMap<String, Double> changed = new TreeMap<>(e.get("p0"));
        changed.put("p5", 1e9);
        e.put("p0", changed);
        assertNotEquals(e, table());
        assertNotEquals(table(), e);
    }

    @Test
    void iteratorsEndWithNoSuchElement() {
        Iterator<Map.Entry<String, Double>> dense = table().get("p1").entrySet().iterator();
        for (int i = 0; i < 8; i++) {
            dense.next();
        }
        assertFalse(dense.hasNext());
        assertThrows(java.util.NoSuchElementException.class, dense::next);
        assertThrows(java.util.NoSuchElementException.class, () -> table().get("p3").entrySet().iterator().next());
    }

    static Stream<Arguments> mutators() {
        List<Arguments> all = new ArrayList<>();
        for (String src : List.of("p0", "p2", "p3")) {
            Consumer<Map<String, Double>> clear = Map::clear;
            all.add(Arguments.of(src + " clear", src, clear));
            all.add(Arguments.of(src + " put", src, (Consumer<Map<String, Double>>) m -> m.put("p0", 1.0)));
            all.add(Arguments.of(src + " putAll", src, (Consumer<Map<String, Double>>) m -> m.putAll(Map.of())));
            all.add(Arguments.of(src + " remove absent", src, (Consumer<Map<String, Double>>) m -> m.remove("zz")));
            all.add(Arguments.of(src + " remove pair", src, (Consumer<Map<String, Double>>) m -> m.remove("p0", 0.0)));
            all.add(Arguments.of(src + " putIfAbsent", src, (Consumer<Map<String, Double>>) m -> m.putIfAbsent("zz", 1.0)));
            all.add(Arguments.of(src + " replace", src, (Consumer<Map<String, Double>>) m -> m.replace("p9", 2.0)));
            all.add(Arguments.of(src + " replace old", src, (Consumer<Map<String, Double>>) m -> m.replace("p9", 0.5, 2.0)));
            all.add(Arguments.of(src + " replaceAll", src, (Consumer<Map<String, Double>>) m -> m.replaceAll((k, v) -> v)));
            all.add(Arguments.of(src + " computeIfAbsent", src, (Consumer<Map<String, Double>>) m -> m.computeIfAbsent("zz", k -> 1.0)));
            all.add(Arguments.of(src + " computeIfPresent", src, (Consumer<Map<String, Double>>) m -> m.computeIfPresent("p9", (k, v) -> v)));
            all.add(Arguments.of(src + " compute", src, (Consumer<Map<String, Double>>) m -> m.compute("p9", (k, v) -> 1.0)));
            all.add(Arguments.of(src + " merge", src, (Consumer<Map<String, Double>>) m -> m.merge("p9", 1.0, Double::sum)));
            all.add(Arguments.of(src + " keySet remove", src, (Consumer<Map<String, Double>>) m -> m.keySet().remove("zz")));
            all.add(Arguments.of(src + " keySet clear", src, (Consumer<Map<String, Double>>) m -> m.keySet().clear()));
            all.add(Arguments.of(src + " values clear", src, (Consumer<Map<String, Double>>) m -> m.values().clear()));
            all.add(Arguments.of(src + " values removeIf", src, (Consumer<Map<String, Double>>) m -> m.values().removeIf(v -> true)));
            all.add(Arguments.of(src + " entrySet clear", src, (Consumer<Map<String, Double>>) m -> m.entrySet().clear()));
            all.add(Arguments.of(src + " entrySet add", src, (Consumer<Map<String, Double>>) m -> m.entrySet().add(Map.entry("zz", 1.0))));
        }
        all.add(Arguments.of("iterator remove", "p0", (Consumer<Map<String, Double>>) m -> {
            Iterator<Map.Entry<String, Double>> it = m.entrySet().iterator();
            it.next();
            it.remove();
        }));
        all.add(Arguments.of("entry setValue", "p0", (Consumer<Map<String, Double>>) m -> m.entrySet().iterator().next().setValue(3.0)));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutators")
    void everyMutatorOfARowThrows(String name, String src, Consumer<Map<String, Double>> mutate) {
        Map<String, Double> row = table().get(src);
        Map<String, Double> before = new TreeMap<>(row);
        assertThrows(UnsupportedOperationException.class, () -> mutate.accept(row));
        assertEquals(before, row);
    }

    @Test
    void everyMutatorOfTheTableThrows() {
        Map<String, Map<String, Double>> t = table();
        List<Runnable> mutators = List.of(
                t::clear,
                () -> t.put("p9", Map.of()),
                () -> t.putAll(Map.of()),
                () -> t.remove("zz"),
                () -> t.remove("p0", Map.of()),
                () -> t.putIfAbsent("zz", Map.of()),
                () -> t.replace("p0", Map.of()),
                () -> t.replace("p0", Map.of(), Map.of()),
                () -> t.replaceAll((k, v) -> v),
                () -> t.computeIfAbsent("zz", k -> Map.of()),
                () -> t.computeIfPresent("p0", (k, v) -> v),
                () -> t.compute("p0", (k, v) -> v),
                () -> t.merge("p0", Map.of(), (a, b) -> a),
                () -> t.keySet().remove("p0"),
                () -> t.values().clear(),
                () -> t.entrySet().clear(),
                () -> t.entrySet().iterator().next().setValue(Map.of()));
        for (int i = 0; i < mutators.size(); i++) {
            assertThrows(UnsupportedOperationException.class, mutators.get(i)::run, "mutator " + i);
        }
        assertEquals(expected(), t);
    }

    @Test
    void eachNameIsOneStringHoweverManyRowsNameIt() {
        // Distinct instances on the way in: as a parser hands them over.
        Map<String, Map<String, Double>> in = new TreeMap<>();
        for (String src : List.of("a", "b", "c")) {
            Map<String, Double> row = new TreeMap<>();
            for (String dst : List.of("a", "b", "c")) {
                row.put(new String(dst), 1.0);
            }
            in.put(new String(src), row);
        }
        Map<String, Map<String, Double>> t = new CostMap(new VersionTag("c", "1"), new VersionTag("n", "1"), NUM, in).costs();
        String b = t.keySet().stream().filter("b"::equals).findFirst().orElseThrow();
        for (Map<String, Double> row : t.values()) {
            assertSame(b, row.keySet().stream().filter("b"::equals).findFirst().orElseThrow());
        }
    }
    /** {@link CostTable#select} against the same selection made on tree maps, over many selections. */
    @Test
    void aSelectionHoldsExactlyThePairsAFilterOnTreeMapsKeeps() {
        CostTable t = (CostTable) table();
        TreeMap<String, Map<String, Double>> all = expected();
        List<List<String>> lists = List.of(List.of(), List.of("p0"), List.of("p2", "p0", "p2"), List.of("nope"),
                List.of("p3", "p9", "p10", "nope"), List.of("p1", "p4", "p5", "p9"));
        List<DoublePredicate> keeps = List.of(c -> true, c -> c < 20, c -> c > 1_000);
        for (List<String> srcs : lists) {
            for (List<String> dsts : lists) {
                for (DoublePredicate keep : keeps) {
                    TreeMap<String, Map<String, Double>> want = new TreeMap<>();
                    all.forEach((src, row) -> {
                        if (srcs.isEmpty() || srcs.contains(src)) {
                            TreeMap<String, Double> kept = new TreeMap<>();
                            row.forEach((dst, cost) -> {
                                if ((dsts.isEmpty() || dsts.contains(dst)) && keep.test(cost)) {
                                    kept.put(dst, cost);
                                }
                            });
                            if (!kept.isEmpty()) {
                                want.put(src, kept);
                            }
                        }
                    });
                    CostTable got = t.select(srcs, dsts, keep);
                    assertEquals(want, got, srcs + " x " + dsts);
                    assertEquals(want.keySet(), got.keySet());
                    assertEquals(want.hashCode(), got.hashCode());
                }
            }
        }
    }

    /** A selection that keeps every cost (the whole map asked for) shares the table, and whole rows. */
    @Test
    void aSelectionKeepingEverythingSharesTheTable() {
        Map<String, Map<String, Double>> rows = new TreeMap<>(expected());
        rows.remove("p3");
        CostTable t = (CostTable) new CostMap(new VersionTag("c", "1"), new VersionTag("n", "1"), NUM, rows).costs();
        assertSame(t, t.select(List.of(), List.of(), c -> true));
        assertSame(t, t.select(List.of(), List.of(), c -> c < 1_000));
        assertEquals(rows, t.select(List.of(), List.of(), c -> c < 1_000));
        CostTable cut = t.select(List.of(), List.of(), c -> c < 20);
        assertSame(t.get("p2"), cut.get("p2"));
        assertEquals(expected().get("p0").size() - 7, cut.get("p0").size());
        // the empty row is still left out, so a table holding one is not shared
        CostTable withEmpty = (CostTable) table();
        assertEquals(rows, withEmpty.select(List.of(), List.of(), c -> true));
    }
}

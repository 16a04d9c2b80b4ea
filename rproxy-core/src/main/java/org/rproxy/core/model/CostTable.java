package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Predicate;


/**
 * What {@link CostMap#costs()} is: source PID to {@link CostRow}, sources in {@code String}
 * order. One sorted array holds every PID name the map uses, once; rows refer to names by
 * position. A 2,000-PID map of 4 million costs takes some 32 MB this way, against 260 MB as
 * tree maps of boxed costs with a string per key from the parser.
 *
 * <p>A table only exists checked: names are PIDs (RFC 7285 §10.1) and costs finite; {@link
 * #ordinalSafe} says whether every cost is also a positive integer, so a table can be handed
 * to another map of an ordinal type without a second pass. Immutable; any thread.
 */
final class CostTable extends ReadOnlyMap<Map<String, Double>> {
    private final String[] names;
    /** Position in {@code names} of each source, ascending. */
    private final int[] srcs;
    /** {@code rows[i]} is the row of {@code names[srcs[i]]}. */
    private final CostRow[] rows;
    private final boolean ordinalSafe;

    /** Takes the arrays as they are: {@code names} sorted without repeats, {@code srcs} ascending. */
    CostTable(String[] names, int[] srcs, CostRow[] rows) {
        this.names = names;
        this.srcs = srcs;
        this.rows = rows;
        boolean ordinal = true;
        for (int i = 0; i < rows.length && ordinal; i++) {
            ordinal = rows[i].allMatch(CostChecks::isOrdinal);
        }
        this.ordinalSafe = ordinal;
    }

    /**
     * {@code costs} as a checked table for a map of {@code type}: itself when it is a table that
     * fits, otherwise a sorted copy, checked pair by pair in sorted order.
     *
     * @throws AltoException naming the first PID or cost at fault
     */
    static CostTable of(Map<String, Map<String, Double>> costs, CostType type) {
        if (costs instanceof CostTable t) {
            if (type.mode() == CostMode.ORDINAL && !t.ordinalSafe) {
                // Some cost is not a positive integer: this walk in sorted order throws on the first.
                t.map(DoubleUnaryOperator.identity(), type);
            }
            return t;
        }
        return copyOf(costs, type);
    }

    private static CostTable copyOf(Map<String, Map<String, Double>> costs, CostType type) {
        SortedMap<String, Map<String, Double>> sorted = sorted(costs);
        // Checked once per distinct name: a 2,000-PID map has 4M pairs but only 2,000 names.
        Set<String> seen = new HashSet<>();
        @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
        SortedMap<String, Double>[] sortedRows = new SortedMap[sorted.size()];
        int r = 0;
        for (Map.Entry<String, Map<String, Double>> e : sorted.entrySet()) {
            String src = e.getKey();
            if (seen.add(src)) {
                CostChecks.source(src);
            }
            SortedMap<String, Double> row = sorted(requireNonNull(e.getValue(), src));
            for (Map.Entry<String, Double> c : row.entrySet()) {
                String dst = c.getKey();
                if (seen.add(dst)) {
                    CostChecks.destination(src, dst);
                }
                CostChecks.cost(type, src, dst, c.getValue());
            }
            sortedRows[r++] = row;
        }
        String[] names = seen.toArray(new String[0]);
        Arrays.sort(names);
        Map<String, Integer> position = new HashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++) {
            position.put(names[i], i);
        }
        int[] srcs = new int[sortedRows.length];
        CostRow[] rows = new CostRow[sortedRows.length];
        r = 0;
        for (String src : sorted.keySet()) {
            srcs[r] = position.get(src);
            rows[r] = copyRow(names, position, sortedRows[r]);
            r++;
        }
        return new CostTable(names, srcs, rows);
    }

    private static CostRow copyRow(String[] names, Map<String, Integer> position, SortedMap<String, Double> row) {
        int[] cols = new int[row.size()];
        double[] values = new double[row.size()];
        int n = 0;
        for (Map.Entry<String, Double> c : row.entrySet()) {
            cols[n] = position.get(c.getKey());
            values[n++] = c.getValue();
        }
        return CostRow.of(names, cols, values, n);
    }

    /** {@code m} when it is sorted by natural order already; else a sorted copy. */
    private static <V> SortedMap<String, V> sorted(Map<String, V> m) {
        if (m instanceof SortedMap<String, V> s && s.comparator() == null) {
            return s;
        }
        return new TreeMap<>(m);
    }

    /**
     * The same pairs with each cost replaced by {@code f(cost)}, checked for {@code type} in
     * sorted order; names were checked when this table was built.
     *
     * @throws AltoException naming the first pair whose new cost {@code type} refuses
     */
    CostTable map(DoubleUnaryOperator f, CostType type) {
        CostRow[] out = new CostRow[rows.length];
        for (int i = 0; i < rows.length; i++) {
            String src = names[srcs[i]];
            out[i] = rows[i].map(f);
            out[i].forEachCost((dst, cost) -> CostChecks.cost(type, src, dst, cost));
        }
        return new CostTable(names, srcs, out);
    }

    /**
     * The rows of {@code srcs} (every row when empty) cut to the columns of {@code dsts} (every
     * column when empty) and to the costs {@code keep} accepts; a row left with no cost is left
     * out, and a PID this table does not hold is ignored, so a list of only unknown PIDs selects
     * nothing. Shares this table's names and needs no new check: every cost is one of this
     * table's. What a filtered cost map (RFC 7285 §11.3.2) is, without a map per row.
     */
    CostTable select(Collection<String> srcs, Collection<String> dsts, DoublePredicate keep) {
        boolean[] wantedCols = null;
        int wantedCount = names.length;
        if (!dsts.isEmpty()) {
            wantedCols = new boolean[names.length];
            wantedCount = 0;
            for (String dst : dsts) {
                int col = Arrays.binarySearch(names, dst);
                if (col >= 0 && !wantedCols[col]) {
                    wantedCols[col] = true;
                    wantedCount++;
                }
            }
        }
        boolean[] wantedRows = new boolean[rows.length];
        if (srcs.isEmpty()) {
            Arrays.fill(wantedRows, true);
        } else {
            for (String src : srcs) {
                int col = Arrays.binarySearch(names, src);
                int i = col < 0 ? -1 : Arrays.binarySearch(this.srcs, col);
                if (i >= 0) {
                    wantedRows[i] = true;
                }
            }
        }
        // at most one row per source asked for: one source of a 2,000-PID map needs no 2,000 slots
        int most = srcs.isEmpty() ? rows.length : Math.min(rows.length, srcs.size());
        int[] outSrcs = new int[most];
        CostRow[] outRows = new CostRow[most];
        int n = 0;
        for (int i = 0; i < rows.length; i++) {
            if (wantedRows[i]) {
                CostRow row = rows[i].select(wantedCols, wantedCount, keep);
                if (row.size() > 0) {
                    outSrcs[n] = this.srcs[i];
                    outRows[n++] = row;
                }
            }
        }
        boolean whole = n == rows.length;
        for (int i = 0; whole && i < n; i++) {
            whole = outRows[i] == rows[i];
        }
        if (whole) {
            return this; // every row whole: the filtered map is this map's table, shared
        }
        return new CostTable(names, n == most ? outSrcs : Arrays.copyOf(outSrcs, n),
                n == most ? outRows : Arrays.copyOf(outRows, n));
    }

    /** The number of known costs, over every row. */
    int costCount() {
        int n = 0;
        for (CostRow row : rows) {
            n += row.size();
        }
        return n;
    }

    /** The row of {@code src}, or null. */
    CostRow row(Object src) {
        if (!(src instanceof String s)) {
            return null;
        }
        int col = Arrays.binarySearch(names, s);
        int i = col < 0 ? -1 : Arrays.binarySearch(srcs, col);
        return i < 0 ? null : rows[i];
    }

    /**
     * The first name {@code known} refuses, sources before their rows, in iteration order: {@code
     * {src}} for a source, {@code {src, dst}} for a destination; null when it accepts them all.
     */
    String[] firstUnknown(Predicate<String> known) {
        boolean[] ok = new boolean[names.length];
        for (int i = 0; i < names.length; i++) {
            ok[i] = known.test(names[i]);
        }
        int[] bad = {-1};
        for (int i = 0; i < rows.length; i++) {
            if (!ok[srcs[i]]) {
                return new String[] {names[srcs[i]]};
            }
            rows[i].forEachColumn(c -> {
                if (bad[0] < 0 && !ok[c]) {
                    bad[0] = c;
                }
            });
            if (bad[0] >= 0) {
                return new String[] {names[srcs[i]], names[bad[0]]};
            }
        }
        return null;
    }

    @Override
    public Map<String, Double> get(Object key) {
        return row(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return row(key) != null;
    }

    @Override
    public int size() {
        return rows.length;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < rows.length; i++) {
            h += names[srcs[i]].hashCode() ^ rows[i].hashCode();
        }
        return h;
    }

    @Override
    Set<Entry<String, Map<String, Double>>> entries() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Map<String, Double>>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < rows.length;
                    }

                    @Override
                    public Entry<String, Map<String, Double>> next() {
                        if (next >= rows.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(names[srcs[i]], rows[i]);
                    }
                };
            }

            @Override
            public int size() {
                return rows.length;
            }
        };
    }
}

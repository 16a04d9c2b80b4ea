package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the {@code cost-map} of a cost map (RFC 7285 §11.2.3.6) row by row, in document
 * order, and builds the {@link CostMap} without a map of boxed costs in between: a reader of a
 * 2,000-PID map (4 million costs) holds 12 bytes per cost here, then the map's compact table.
 *
 * <p>Names are numbered as they first appear, so each PID is one string however many rows name
 * it, and sorted once at the end; each row is then ordered by sorting packed integers rather
 * than strings. {@link #build} checks exactly what the {@link CostMap} constructor checks, in
 * the same order, so a document gives the same first error either way. The reader checks for
 * repeated names (RFC 8259 §4 leaves them open; {@code JsonSyntax} refuses them); a repeat here
 * is a caller's bug. One instance per document, used by one thread, built once.
 */
public final class CostRows {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<int[]> rowCols = new ArrayList<>();
    private final List<double[]> rowCosts = new ArrayList<>();
    private int[] srcIds = new int[16];
    private int[] cols = new int[16];
    private double[] costs = new double[16];
    private int size;

    /** Starts the row of {@code src}; costs added up to {@link #endRow} are its. */
    public void startRow(String src) {
        int row = rowCols.size();
        if (row == srcIds.length) {
            srcIds = Arrays.copyOf(srcIds, row * 2);
        }
        srcIds[row] = id(requireNonNull(src, "src"));
        size = 0;
    }

    /** A cost from the current source to {@code dst}; checked by {@link #build}. */
    public void add(String dst, double cost) {
        if (size == cols.length) {
            cols = Arrays.copyOf(cols, size * 2);
            costs = Arrays.copyOf(costs, size * 2);
        }
        cols[size] = id(requireNonNull(dst, "dst"));
        costs[size] = cost;
        size++;
    }

    public void endRow() {
        rowCols.add(Arrays.copyOf(cols, size));
        rowCosts.add(Arrays.copyOf(costs, size));
    }

    /**
     * The map of the rows collected, checked as the {@link CostMap} constructor checks.
     *
     * @throws AltoException            naming the first PID or cost at fault, in sorted order
     * @throws IllegalArgumentException when a source, or a destination within a row, came twice
     */
    public CostMap build(VersionTag vtag, VersionTag dependentVtag, CostType costType) {
        requireNonNull(vtag, "vtag");
        requireNonNull(dependentVtag, "dependentVtag");
        requireNonNull(costType, "costType");
        return new CostMap(vtag, dependentVtag, costType, table(costType));
    }

    private CostTable table(CostType type) {
        int[] rank = ranks();
        String[] byRank = new String[rank.length];
        for (int id = 0; id < rank.length; id++) {
            byRank[rank[id]] = names.get(id);
        }
        int rowCount = rowCols.size();
        long[] order = new long[rowCount];
        for (int r = 0; r < rowCount; r++) {
            order[r] = ((long) rank[srcIds[r]] << 32) | r;
        }
        Arrays.sort(order);
        boolean[] seen = new boolean[byRank.length];
        int[] srcs = new int[rowCount];
        CostRow[] rows = new CostRow[rowCount];
        for (int i = 0; i < rowCount; i++) {
            srcs[i] = (int) (order[i] >>> 32);
            if (i > 0 && srcs[i] == srcs[i - 1]) {
                throw new IllegalArgumentException("src: " + byRank[srcs[i]] + " (expected: each source once)");
            }
            int r = (int) order[i];
            rows[i] = row(type, byRank, srcs[i], rowCols.get(r), rowCosts.get(r), rank, seen);
            // The collected row is garbage from here on: the peak stays near one copy of the map.
            rowCols.set(r, null);
            rowCosts.set(r, null);
        }
        return new CostTable(byRank, srcs, rows);
    }

    /** The row of the source at {@code src} (a rank), its names and costs checked in sorted order. */
    private static CostRow row(CostType type, String[] byRank, int src, int[] ids, double[] values, int[] rank,
                               boolean[] seen) {
        String srcName = byRank[src];
        if (!seen[src]) {
            CostChecks.source(srcName);
            seen[src] = true;
        }
        long[] packed = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            packed[i] = ((long) rank[ids[i]] << 32) | i;
        }
        Arrays.sort(packed);
        int[] dsts = new int[packed.length];
        double[] sorted = new double[packed.length];
        for (int i = 0; i < packed.length; i++) {
            int dst = (int) (packed[i] >>> 32);
            if (i > 0 && dst == dsts[i - 1]) {
                throw new IllegalArgumentException("dst: " + byRank[dst] + " (expected: once in the row of " + srcName + ")");
            }
            if (!seen[dst]) {
                CostChecks.destination(srcName, byRank[dst]);
                seen[dst] = true;
            }
            double cost = values[(int) packed[i]];
            CostChecks.cost(type, srcName, byRank[dst], cost);
            dsts[i] = dst;
            sorted[i] = cost;
        }
        return CostRow.of(byRank, dsts, sorted, packed.length);
    }

    /** The position of each name id in the sorted list of names. */
    private int[] ranks() {
        Integer[] byName = new Integer[names.size()];
        Arrays.setAll(byName, i -> i);
        Arrays.sort(byName, (a, b) -> names.get(a).compareTo(names.get(b)));
        int[] rank = new int[byName.length];
        for (int r = 0; r < byName.length; r++) {
            rank[byName[r]] = r;
        }
        return rank;
    }

    private int id(String name) {
        Integer id = ids.get(name);
        if (id == null) {
            id = names.size();
            ids.put(name, id);
            names.add(name);
        }
        return id;
    }
}

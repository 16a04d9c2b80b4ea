package org.rproxy.core.codec.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the {@code cost-map} of a cost map row by row, as a reader meets it, and hands it
 * over sorted, so that the model's constructor copies it in linear time (see
 * {@link SortedArrayMap}).
 *
 * <p>Destination names are numbered as they first appear and sorted once at the end; each row
 * is then ordered by sorting packed integers rather than strings. Rows usually name the same
 * destinations, so this replaces millions of string comparisons by one sort of the distinct
 * names. One instance per document, used by one thread.
 */
final class CostRows {
    private final Map<String, Integer> columnIds = new HashMap<>();
    private final List<String> columns = new ArrayList<>();
    private final List<String> srcs = new ArrayList<>();
    private final List<int[]> rowColumns = new ArrayList<>();
    private final List<double[]> rowCosts = new ArrayList<>();
    private int[] cols = new int[16];
    private double[] costs = new double[16];
    private int size;

    void startRow(String src) {
        srcs.add(src);
        size = 0;
    }

    void add(String dst, double cost) {
        Integer id = columnIds.get(dst);
        if (id == null) {
            id = columns.size();
            columnIds.put(dst, id);
            columns.add(dst);
        }
        if (size == cols.length) {
            cols = Arrays.copyOf(cols, size * 2);
            costs = Arrays.copyOf(costs, size * 2);
        }
        cols[size] = id;
        costs[size] = cost;
        size++;
    }

    void endRow() {
        rowColumns.add(Arrays.copyOf(cols, size));
        rowCosts.add(Arrays.copyOf(costs, size));
    }

    /** Source to (destination to cost), both levels sorted by name. */
    Map<String, Map<String, Double>> build() {
        int[] rank = columnRanks();
        String[] byRank = new String[columns.size()];
        for (int id = 0; id < rank.length; id++) {
            byRank[rank[id]] = columns.get(id);
        }
        Integer[] order = new Integer[srcs.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> srcs.get(a).compareTo(srcs.get(b)));
        String[] srcKeys = new String[order.length];
        Object[] rows = new Object[order.length];
        for (int i = 0; i < order.length; i++) {
            srcKeys[i] = srcs.get(order[i]);
            rows[i] = row(rowColumns.get(order[i]), rowCosts.get(order[i]), rank, byRank);
        }
        return new SortedArrayMap<>(srcKeys, rows);
    }

    /** The position of each column id in the sorted list of names. */
    private int[] columnRanks() {
        Integer[] ids = new Integer[columns.size()];
        Arrays.setAll(ids, i -> i);
        Arrays.sort(ids, (a, b) -> columns.get(a).compareTo(columns.get(b)));
        int[] rank = new int[ids.length];
        for (int r = 0; r < ids.length; r++) {
            rank[ids[r]] = r;
        }
        return rank;
    }

    private static Map<String, Double> row(int[] ids, double[] values, int[] rank, String[] byRank) {
        long[] packed = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            packed[i] = ((long) rank[ids[i]] << 32) | i;
        }
        Arrays.sort(packed);
        String[] keys = new String[packed.length];
        Object[] costs = new Object[packed.length];
        for (int i = 0; i < packed.length; i++) {
            keys[i] = byRank[(int) (packed[i] >>> 32)];
            costs[i] = values[(int) packed[i]];
        }
        return new SortedArrayMap<>(keys, costs);
    }
}

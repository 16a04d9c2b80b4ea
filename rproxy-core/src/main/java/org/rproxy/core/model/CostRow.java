package org.rproxy.core.model;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntConsumer;


/**
 * One source's row of a {@link CostTable}: destination PID to cost, in the order of the names.
 *
 * <p>Stored one of two ways, chosen per row by size: <em>dense</em>, a {@code double[]} indexed
 * by the position of the destination in the table's sorted names, with {@code NaN} where no cost
 * is known (a missing pair is not zero, RFC 7285 §11.2.3.6, and a cost is never {@code NaN});
 * or <em>sparse</em>, the sorted positions of the known destinations and their costs side by
 * side. A full row of a 2,000-PID map takes 16 KB dense; a row of a filtered map naming three
 * destinations takes some 36 bytes sparse. Keys are the table's own strings, so a map of
 * millions of costs holds one string per PID. Costs are boxed only when read through the
 * {@code Map} interface; {@link #forEachCost} does not box. Immutable; any thread.
 */
final class CostRow extends ReadOnlyMap<Double> {
    private static final int[] NONE = {};
    private static final double[] NO_COSTS = {};

    private final String[] names;
    /** Sorted positions in {@code names} of the known destinations; null when dense. */
    private final int[] cols;
    /** Dense: by position in {@code names}, NaN when unknown. Sparse: parallel to {@code cols}. */
    private final double[] costs;
    private final int size;

    private CostRow(String[] names, int[] cols, double[] costs, int size) {
        this.names = names;
        this.cols = cols;
        this.costs = costs;
        this.size = size;
    }

    /**
     * The row of {@code n} costs, {@code values[i]} to {@code names[cols[i]]}, with {@code cols}
     * ascending and every value finite; the arrays are copied as the chosen layout needs.
     */
    static CostRow of(String[] names, int[] cols, double[] values, int n) {
        if (n == 0) {
            return new CostRow(names, NONE, NO_COSTS, 0);
        }
        // Dense takes 8 bytes per name, sparse 12 per known cost.
        if (3L * n >= 2L * names.length) {
            double[] dense = new double[names.length];
            Arrays.fill(dense, Double.NaN);
            for (int i = 0; i < n; i++) {
                dense[cols[i]] = values[i];
            }
            return new CostRow(names, null, dense, n);
        }
        return new CostRow(names, Arrays.copyOf(cols, n), Arrays.copyOf(values, n), n);
    }

    /** The same pairs with each cost replaced by {@code f(cost)}; the caller checks the results. */
    CostRow map(DoubleUnaryOperator f) {
        double[] out = costs.clone();
        for (int i = 0; i < out.length; i++) {
            if (!Double.isNaN(out[i])) {
                out[i] = f.applyAsDouble(out[i]);
            }
        }
        return new CostRow(names, cols, out, size);
    }

    /**
     * The costs to the destinations {@code wanted} marks (every one when null; {@code wantedCount}
     * of them, which bounds the scratch arrays) that {@code keep} accepts, sharing this row's
     * names; the costs are this row's, so they need no new check. This row itself when every
     * cost survives (the whole map asked for, no constraint cutting it): nothing is copied.
     */
    CostRow select(boolean[] wanted, int wantedCount, DoublePredicate keep) {
        if (wantedCount >= size) {
            int[] kept = {0};
            forEachColumnCost((col, cost) -> {
                if ((wanted == null || wanted[col]) && keep.test(cost)) {
                    kept[0]++;
                }
            });
            if (kept[0] == size) {
                return this;
            }
        }
        int most = Math.min(size, wantedCount);
        int[] outCols = new int[most];
        double[] outCosts = new double[most];
        int[] n = {0};
        forEachColumnCost((col, cost) -> {
            if ((wanted == null || wanted[col]) && keep.test(cost)) {
                outCols[n[0]] = col;
                outCosts[n[0]++] = cost;
            }
        });
        return of(names, outCols, outCosts, n[0]);
    }

    /** A known cost with the position of its destination in the table's names. */
    @FunctionalInterface
    interface ColumnCost {
        void accept(int col, double cost);
    }

    /** Calls {@code action} for each known cost with its destination's position, in destination order. */
    void forEachColumnCost(ColumnCost action) {
        if (cols == null) {
            for (int c = 0; c < costs.length; c++) {
                if (!Double.isNaN(costs[c])) {
                    action.accept(c, costs[c]);
                }
            }
            return;
        }
        for (int i = 0; i < size; i++) {
            action.accept(cols[i], costs[i]);
        }
    }

    /** True when the row is stored by position of every name rather than by known cost. */
    boolean dense() {
        return cols == null;
    }

    /** True when {@code test} holds for every known cost. */
    boolean allMatch(DoublePredicate test) {
        for (int i = 0; i < costs.length; i++) {
            if (!Double.isNaN(costs[i]) && !test.test(costs[i])) {
                return false;
            }
        }
        return true;
    }

    /** Calls {@code action} for each known cost, in destination order. */
    void forEachCost(CostConsumer action) {
        forEachColumnCost((col, cost) -> action.accept(names[col], cost));
    }

    /** Calls {@code action} with the position in the table's names of each known destination. */
    void forEachColumn(IntConsumer action) {
        forEachColumnCost((col, cost) -> action.accept(col));
    }

    /** The cost to {@code dst}, or NaN when none is known. */
    double cost(Object dst) {
        if (!(dst instanceof String s)) {
            return Double.NaN;
        }
        int col = Arrays.binarySearch(names, s);
        if (col < 0) {
            return Double.NaN;
        }
        if (cols == null) {
            return costs[col];
        }
        int i = Arrays.binarySearch(cols, col);
        return i < 0 ? Double.NaN : costs[i];
    }

    @Override
    public Double get(Object key) {
        double c = cost(key);
        return Double.isNaN(c) ? null : c;
    }

    @Override
    public boolean containsKey(Object key) {
        return !Double.isNaN(cost(key));
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Double> action) {
        forEachCost(action::accept);
    }

    @Override
    public int hashCode() {
        int[] h = {0};
        // Map.Entry's hash code: key's hash XOR value's hash, summed over the entries.
        forEachCost((dst, cost) -> h[0] += dst.hashCode() ^ Double.hashCode(cost));
        return h[0];
    }

    @Override
    Set<Entry<String, Double>> entries() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Double>> iterator() {
                return new Entries();
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** Walks the known costs: every slot when sparse, the non-NaN ones when dense. */
    private final class Entries implements Iterator<Entry<String, Double>> {
        private int slot = advance(0);

        private int advance(int from) {
            int s = from;
            if (cols == null) {
                while (s < costs.length && Double.isNaN(costs[s])) {
                    s++;
                }
                return s;
            }
            return Math.min(s, size);
        }

        @Override
        public boolean hasNext() {
            return slot < (cols == null ? costs.length : size);
        }

        @Override
        public Entry<String, Double> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int s = slot;
            slot = advance(s + 1);
            String key = cols == null ? names[s] : names[cols[s]];
            return new SimpleImmutableEntry<>(key, costs[s]);
        }
    }
}

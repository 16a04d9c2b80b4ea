package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;

/**
 * The ordinal view of numerical costs (RFC 7285 §6.1.2.2): rank 1 is the lowest cost.
 *
 * <p>Ranking is <em>dense</em>: equal costs share a rank and the next distinct cost takes the
 * next integer (costs 5, 7, 7, 9 rank 1, 2, 2, 3). Equal costs must share a rank, or the view
 * would claim a preference the numbers do not hold; dense rather than "competition" ranking
 * (1, 2, 2, 4) because §6.1.2.2 only promises that lower means preferred, and dense ranks stay
 * small and do not move when a tie elsewhere breaks.
 *
 * <p>Two scopes: {@link #of(CostMap)} ranks against every cost of the map (§6.1.2.2: relative to
 * all other values in the cost map), which a filtered cost map keeps so its ranks agree with the
 * full ordinal map; {@link #rank(Map)} ranks one row, as an endpoint cost answer ranks the
 * destinations of one source. Pure functions; any thread.
 */
public final class OrdinalCosts {

    private OrdinalCosts() {
    }

    /**
     * The map with every cost replaced by its rank among all costs of the map; the same map when
     * it is ordinal already. O(n log n) in the number of costs: callers that answer many ordinal
     * queries from one numerical map compute this once per map version.
     */
    public static CostMap of(CostMap map) {
        requireNonNull(map, "map");
        if (map.costType().mode() == CostMode.ORDINAL) {
            return map;
        }
        double[] distinct = distinct(map);
        CostType numerical = map.costType();
        CostType ordinal = new CostType(numerical.metric(), CostMode.ORDINAL, numerical.description());
        return map.withCosts(ordinal, cost -> rankOf(distinct, cost));
    }

    /** Each key of {@code row} with the dense rank of its cost within the row, in the row's order. */
    public static Map<String, Integer> rank(Map<String, Double> row) {
        requireNonNull(row, "row");
        double[] distinct = sortedDistinct(row.values().stream().mapToDouble(Double::doubleValue).toArray());
        Map<String, Integer> out = new LinkedHashMap<>();
        row.forEach((k, cost) -> out.put(k, rankOf(distinct, cost)));
        return out;
    }

    /** Replaces each cost of {@code row} with its dense rank within the row, as {@link #rank} gives it. */
    public static void rankInPlace(Map<String, Double> row) {
        requireNonNull(row, "row");
        double[] values = new double[row.size()];
        int n = 0;
        for (Double cost : row.values()) {
            values[n++] = cost;
        }
        double[] distinct = sortedDistinct(values);
        row.replaceAll((k, cost) -> (double) rankOf(distinct, cost));
    }

    /** The dense rank of {@code cost} among {@code distinct} (sorted, no repeats, containing it). */
    static int rankOf(double[] distinct, double cost) {
        // + 0.0 folds -0.0 into 0.0: binarySearch tells them apart, the ranking must not.
        return Arrays.binarySearch(distinct, cost + 0.0) + 1;
    }

    private static double[] distinct(CostMap map) {
        int n = 0;
        for (Map<String, Double> row : map.costs().values()) {
            n += row.size();
        }
        double[] all = new double[n];
        int[] next = {0};
        for (String src : map.costs().keySet()) {
            map.forEachCost(src, (dst, cost) -> all[next[0]++] = cost);
        }
        return sortedDistinct(all);
    }

    /** Sorts {@code values} in place and returns its distinct values (costs are finite: no NaN). */
    static double[] sortedDistinct(double[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] += 0.0;
        }
        Arrays.sort(values);
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (n == 0 || values[i] != values[n - 1]) {
                values[n++] = values[i];
            }
        }
        return Arrays.copyOf(values, n);
    }
}

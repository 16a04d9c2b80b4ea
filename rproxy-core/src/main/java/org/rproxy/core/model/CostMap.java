package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;

/**
 * A full cost map (RFC 7285 §11.2.3): for one cost type, the cost from each source PID to
 * destination PIDs. A missing pair means "no cost known" (RFC 7285 §11.2.3.6), not zero.
 *
 * <p>{@code costs} is held as a compact, immutable table (package-private): one string per PID
 * name and an array of costs per row, a tenth of the heap of tree maps of boxed costs. It reads
 * as a {@code Map} with sources, and each row's destinations, in {@code String} order; its
 * equality and hash code are those of the {@code Map} contract, and every mutator throws
 * {@link UnsupportedOperationException}. Readers that hold millions of costs build it through
 * {@link CostRows}; writers visit it through {@link #forEachCost}.
 *
 * @param vtag           this map's resource id and version tag
 * @param dependentVtag  the network map this map's PIDs come from
 * @param costType       metric and mode
 * @param costs          source PID to (destination PID to cost); sorted for stable output
 */
public record CostMap(VersionTag vtag, VersionTag dependentVtag, CostType costType,
                      Map<String, Map<String, Double>> costs) {

    public CostMap {
        requireNonNull(vtag, "vtag");
        requireNonNull(dependentVtag, "dependentVtag");
        requireNonNull(costType, "costType");
        requireNonNull(costs, "costs");
        costs = CostTable.of(costs, costType);
    }

    /**
     * Checks that this map depends on {@code map} and names only its PIDs.
     *
     * @throws AltoException naming the first PID the network map lacks
     */
    public void checkAgainst(NetworkMap map) {
        if (!dependentVtag.resourceId().equals(map.vtag().resourceId())) {
            throw new AltoException(AltoError.invalidValue("meta/dependent-vtags", dependentVtag.resourceId(),
                    "cost map depends on " + dependentVtag.resourceId() + ", not on " + map.vtag().resourceId()));
        }
        String[] unknown = table().firstUnknown(map::hasPid);
        if (unknown == null) {
            return;
        }
        String src = unknown[0];
        if (unknown.length == 1) {
            throw new AltoException(AltoError.invalidValue("cost-map/" + src, src,
                    "source PID " + src + " is not in network map " + map.vtag().resourceId()));
        }
        String dst = unknown[1];
        throw new AltoException(AltoError.invalidValue("cost-map/" + src + "/" + dst, dst,
                "destination PID " + dst + " is not in network map " + map.vtag().resourceId()));
    }

    /** The cost from {@code src} to {@code dst}, or null when none is known. */
    public Double cost(String src, String dst) {
        CostRow row = table().row(src);
        return row == null ? null : row.get(dst);
    }

    /** The number of known costs (source and destination pairs), over every row. */
    public int costCount() {
        return table().costCount();
    }

    /**
     * Calls {@code action} with each known cost from {@code src}, destinations in order, without
     * boxing; nothing when {@code src} has no row. For writers that visit every cost.
     */
    public void forEachCost(String src, CostConsumer action) {
        requireNonNull(action, "action");
        CostRow row = table().row(src);
        if (row != null) {
            row.forEachCost(action);
        }
    }

    /**
     * This map with cost type {@code costType} and each cost replaced by {@code f(cost)}: the same
     * pairs, the same vtags. Shares the PID names and the layout of the rows, so an ordinal view of
     * a numerical map (RFC 7285 §6.1.2.2) costs one array of costs per row.
     *
     * @throws AltoException as the constructor does when {@code costType} refuses a new cost
     */
    public CostMap withCosts(CostType costType, DoubleUnaryOperator f) {
        requireNonNull(costType, "costType");
        requireNonNull(f, "f");
        return new CostMap(vtag, dependentVtag, costType, table().map(f, costType));
    }

    /**
     * The costs from {@code srcs} (every source when empty) to {@code dsts} (every destination
     * when empty) that {@code keep} accepts, with this map's vtags and cost type: a filtered cost
     * map (RFC 7285 §11.3.2). PIDs this map does not hold are ignored, a list of only unknown
     * PIDs selects nothing, and a source left with no cost is left out. Shares this map's PID
     * names and checks nothing again, so it costs about what it selects.
     */
    public CostMap select(Collection<String> srcs, Collection<String> dsts, DoublePredicate keep) {
        requireNonNull(srcs, "srcs");
        requireNonNull(dsts, "dsts");
        requireNonNull(keep, "keep");
        return new CostMap(vtag, dependentVtag, costType, table().select(srcs, dsts, keep));
    }

    private CostTable table() {
        return (CostTable) costs;
    }
}

package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.core.model.VersionTag;

/**
 * Answers endpoint cost queries (RFC 7285 §11.5.1) and rankings (the seed's
 * {@code POST /cost/m?mode=ordinal}) from one network map and the cost maps built on it: each
 * endpoint is mapped to its PID by longest-prefix match, and the cost between two endpoints is
 * the cost between their PIDs.
 *
 * <p>The cost map is chosen by the requested cost type ({@link CostMapChoice}): one of the same
 * metric and mode, else, for an ordinal request, a numerical one of the same metric; answers
 * name it ({@link #costMap}). Ordinal answers rank the
 * destinations of each source among themselves (dense ranks, see {@link OrdinalCosts}), as in
 * the example of §11.5.1.7. Pairs with no known cost (an endpoint in no PID, a missing cost map
 * entry) are left out, as are sources left with no destination.
 *
 * <p>Built once per version of its maps, then immutable and safe for any number of threads.
 */
public final class EndpointCostLookup {
    /** The cost of a peer in the source's own PID when the cost map gives none (ranking only). */
    public static final double SAME_PID_COST = 0;
    private static final String COST_METRIC = "cost-type/cost-metric";
    private static final String COST_MODE = "cost-type/cost-mode";

    private final NetworkMap map;
    private final PrefixIndex index;
    private final List<CostMap> costMaps;

    /**
     * @throws IllegalArgumentException when a cost map depends on another network map, or two
     *                                  cost maps have the same cost type
     */
    public EndpointCostLookup(NetworkMap map, Collection<CostMap> costMaps) {
        this.map = requireNonNull(map, "map");
        this.index = map.index();
        this.costMaps = List.copyOf(requireNonNull(costMaps, "costMaps"));
        for (int i = 0; i < this.costMaps.size(); i++) {
            CostMap c = this.costMaps.get(i);
            if (!c.dependentVtag().resourceId().equals(map.vtag().resourceId())) {
                throw new IllegalArgumentException("costMaps: " + c.vtag().resourceId() + " depends on "
                        + c.dependentVtag().resourceId() + ", not on " + map.vtag().resourceId());
            }
            for (int j = 0; j < i; j++) {
                if (this.costMaps.get(j).costType().sameAs(c.costType())) {
                    throw new IllegalArgumentException("costMaps: two maps of cost type "
                            + c.costType().metric() + "/" + c.costType().mode().wireName());
                }
            }
        }
    }

    public EndpointCostAnswer lookup(EndpointCostQuery query) {
        requireNonNull(query, "query");
        CostType asked = new CostType(query.costType().metric(), query.costType().mode());
        CostMap costs = costMap(asked);
        List<Dst> dsts = typedPids(query.dsts());
        ConstraintBounds constraints = ConstraintBounds.of(query.constraints());
        Map<String, Map<String, Double>> out = new TreeMap<>();
        for (IpAddress src : query.srcs()) {
            Map<String, Double> row = new TreeMap<>();
            String srcPid = index.pidOrNull(src);
            Map<String, Double> pidRow = srcPid == null ? null : costs.costs().get(srcPid);
            if (pidRow != null) {
                for (Dst dst : dsts) {
                    Double cost = pidRow.get(dst.pid());
                    if (cost != null) {
                        row.put(dst.typed(), cost);
                    }
                }
            }
            if (asked.mode() == CostMode.ORDINAL) {
                OrdinalCosts.rankInPlace(row);
            }
            row.values().removeIf(v -> !constraints.test(v));
            if (!row.isEmpty()) {
                out.put(src.toTyped(), row);
            }
        }
        return new EndpointCostAnswer(asked, List.of(map.vtag(), costs.vtag()), out);
    }

    /**
     * The destinations of {@code endpoints} that are in some PID, each with its typed form
     * (written once per query, not once per source) and its PID, in the given order; a
     * destination listed twice is looked up twice and counts once in the answer's row.
     */
    private List<Dst> typedPids(List<IpAddress> endpoints) {
        List<Dst> out = new ArrayList<>(endpoints.size());
        for (IpAddress e : endpoints) {
            String pid = index.pidOrNull(e);
            if (pid != null) {
                out.add(new Dst(e.toTyped(), pid));
            }
        }
        return out;
    }

    /** A destination endpoint of a query: its typed address and its PID. */
    private record Dst(String typed, String pid) {
    }

    /**
     * The destinations ordered by cost from {@code src}, lowest first, each with its cost and its
     * dense rank among them and its index in {@code dsts} (the first, for one repeated). Repeated
     * destinations count once; equal costs keep the order given.
     * A destination with no known cost is left out; an empty list when {@code src} is in no PID.
     * A destination in the source's own PID is always ranked: when the cost map gives no cost
     * from a PID to itself (the seed's maps give none), it costs {@link #SAME_PID_COST}, the
     * nearest a peer can be (same PID, same network location, RFC 7285 §2.2), so the peers a
     * client should prefer most are never the ones that vanish.
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} on {@code cost-type/cost-metric} or
     *                       {@code cost-type/cost-mode} when no map fits {@code type}
     */
    public List<RankedEndpoint> rank(IpAddress src, List<IpAddress> dsts, CostType type) {
        requireNonNull(src, "src");
        requireNonNull(dsts, "dsts");
        CostMap costs = costMap(requireNonNull(type, "type"));
        Map<IpAddress, Integer> indexes = new LinkedHashMap<>();
        for (int i = 0; i < dsts.size(); i++) {
            indexes.putIfAbsent(dsts.get(i), i);
        }
        Map<IpAddress, Double> row = row(costs, src, pids(indexes.keySet()), true);
        List<Map.Entry<IpAddress, Double>> sorted = new ArrayList<>(row.entrySet());
        sorted.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        List<RankedEndpoint> out = new ArrayList<>(sorted.size());
        int rank = 0;
        double previous = Double.NaN;
        for (Map.Entry<IpAddress, Double> e : sorted) {
            if (rank == 0 || e.getValue() != previous) {
                rank++;
                previous = e.getValue();
            }
            out.add(new RankedEndpoint(e.getKey(), e.getValue(), rank, indexes.get(e.getKey())));
        }
        return out;
    }

    /** Each endpoint with its PID, in the given order; endpoints in no PID are left out. */
    private Map<IpAddress, String> pids(Collection<IpAddress> endpoints) {
        Map<IpAddress, String> out = new LinkedHashMap<>();
        for (IpAddress e : endpoints) {
            index.pidOf(e).ifPresent(pid -> out.put(e, pid));
        }
        return out;
    }

    /**
     * Destination to its cost from {@code src}, in the order of {@code dstPids}; known costs only,
     * plus, with {@code ownPid}, {@link #SAME_PID_COST} for a destination in the source's PID
     * when the map has no cost from that PID to itself.
     */
    private Map<IpAddress, Double> row(CostMap costs, IpAddress src, Map<IpAddress, String> dstPids, boolean ownPid) {
        Map<IpAddress, Double> out = new LinkedHashMap<>();
        String srcPid = index.pidOrNull(src);
        if (srcPid == null) {
            return out;
        }
        Map<String, Double> pidRow = costs.costs().get(srcPid);
        dstPids.forEach((dst, pid) -> {
            Double cost = pidRow == null ? null : pidRow.get(pid);
            if (cost == null && ownPid && pid.equals(srcPid)) {
                cost = SAME_PID_COST;
            }
            if (cost != null) {
                out.put(dst, cost);
            }
        });
        return out;
    }

    /**
     * The cost map answers of cost type {@code type} are computed from ({@link CostMapChoice}):
     * the one an answer's {@code Alto-Derived-From} and {@code dependent-vtags} name.
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} on {@code cost-type/cost-metric} or
     *                       {@code cost-type/cost-mode} when no map fits {@code type}
     *                       ({@link CostMapChoice#refusal})
     */
    public CostMap costMap(CostType type) {
        return costMap(type, COST_METRIC, COST_MODE);
    }

    /** {@link #costMap(CostType)}, a refusal naming the request's own members for metric and mode. */
    public CostMap costMap(CostType type, String metricField, String modeField) {
        requireNonNull(type, "type");
        return CostMapChoice.of(costMaps, type).orElseThrow(() -> CostMapChoice.refusal(costMaps, type,
                requireNonNull(metricField, "metricField"), requireNonNull(modeField, "modeField"),
                map.vtag().resourceId()));
    }

    /** The vtags this lookup was built from: the network map, then its cost maps. */
    public List<VersionTag> vtags() {
        List<VersionTag> all = new ArrayList<>();
        all.add(map.vtag());
        costMaps.forEach(c -> all.add(c.vtag()));
        return all;
    }
}

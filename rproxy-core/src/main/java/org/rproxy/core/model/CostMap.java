package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A full cost map (RFC 7285 §11.2.3): for one cost type, the cost from each source PID to
 * destination PIDs. A missing pair means "no cost known" (RFC 7285 §11.2.3.6), not zero.
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
        CostType type = costType;
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        // Validated once per distinct name: a 2,000-PID map has 4M entries but only 2,000 names.
        Set<String> validNames = new HashSet<>();
        for (Map.Entry<String, Map<String, Double>> e : new TreeMap<>(costs).entrySet()) {
            String src = e.getKey();
            if (validNames.add(src)) {
                Identifiers.pid(src, "cost-map." + src);
            }
            TreeMap<String, Double> r = new TreeMap<>(requireNonNull(e.getValue(), src));
            for (Map.Entry<String, Double> c : r.entrySet()) {
                String dst = c.getKey();
                if (validNames.add(dst)) {
                    Identifiers.pid(dst, "cost-map." + src + "." + dst);
                }
                checkCost(type, src, dst, c.getValue());
            }
            copy.put(src, Collections.unmodifiableSortedMap(r));
        }
        costs = Collections.unmodifiableMap(copy);
    }

    private static void checkCost(CostType type, String src, String dst, Double cost) {
        if (cost == null || cost.isNaN() || cost.isInfinite()) {
            throw new AltoException(AltoError.invalidValue("cost-map." + src + "." + dst, String.valueOf(cost),
                    "cost must be a finite number"));
        }
        if (type.mode() == CostMode.ORDINAL && (cost < 1 || cost != Math.rint(cost))) {
            throw new AltoException(AltoError.invalidValue("cost-map." + src + "." + dst, String.valueOf(cost),
                    "an ordinal cost must be a positive integer (RFC 7285 §6.1.2.2)"));
        }
    }

    /**
     * Checks that this map depends on {@code map} and names only its PIDs.
     *
     * @throws AltoException naming the first PID the network map lacks
     */
    public void checkAgainst(NetworkMap map) {
        if (!dependentVtag.resourceId().equals(map.vtag().resourceId())) {
            throw new AltoException(AltoError.invalidValue("meta.dependent-vtags", dependentVtag.resourceId(),
                    "cost map depends on " + dependentVtag.resourceId() + ", not on " + map.vtag().resourceId()));
        }
        costs.forEach((src, row) -> {
            if (!map.hasPid(src)) {
                throw new AltoException(AltoError.invalidValue("cost-map." + src, src,
                        "source PID " + src + " is not in network map " + map.vtag().resourceId()));
            }
            row.keySet().forEach(dst -> {
                if (!map.hasPid(dst)) {
                    throw new AltoException(AltoError.invalidValue("cost-map." + src + "." + dst, dst,
                            "destination PID " + dst + " is not in network map " + map.vtag().resourceId()));
                }
            });
        });
    }

    /** The cost from {@code src} to {@code dst}, or null when none is known. */
    public Double cost(String src, String dst) {
        Map<String, Double> row = costs.get(src);
        return row == null ? null : row.get(dst);
    }
}

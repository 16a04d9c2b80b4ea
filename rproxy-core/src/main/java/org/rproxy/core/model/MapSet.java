package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;


/**
 * The validated documents of one maps folder: every cost map depends on one of the network maps
 * and names only its PIDs; resource ids are unique across all documents.
 *
 * @param networkMaps        by resource id
 * @param costMaps           by resource id
 * @param endpointProperties by resource id
 * @param defaultNetworkMap  the id of the default network map (the one the XML dialect serves)
 */
public record MapSet(Map<String, NetworkMap> networkMaps, Map<String, CostMap> costMaps,
                     Map<String, EndpointProperties> endpointProperties, String defaultNetworkMap) {
    public MapSet {
        networkMaps = Map.copyOf(networkMaps);
        costMaps = Map.copyOf(costMaps);
        endpointProperties = Map.copyOf(endpointProperties);
        requireNonNull(defaultNetworkMap, "defaultNetworkMap");
        if (!networkMaps.containsKey(defaultNetworkMap)) {
            throw new IllegalArgumentException("defaultNetworkMap: " + defaultNetworkMap + " (not among the network maps)");
        }
    }

    public NetworkMap defaultMap() {
        return networkMaps.get(defaultNetworkMap);
    }

    /**
     * The cost map of network map {@code netmap} with the given metric, preferring a numerical
     * map over an ordinal one: the map the seed dialect's {@code /cost/map?type=METRIC} renders.
     * Answers to a query for a cost type pick their map by {@code CostMapChoice} instead (the map
     * of exactly that type, an ordinal one included).
     */
    public Optional<CostMap> costMap(String netmap, String metric) {
        CostMap found = null;
        for (CostMap c : costMaps.values()) {
            if (!c.dependentVtag().resourceId().equals(netmap) || !c.costType().metric().equals(metric)) {
                continue;
            }
            if (found == null || (c.costType().mode() == CostMode.NUMERICAL && found.costType().mode() != CostMode.NUMERICAL)
                    || (c.costType().mode() == found.costType().mode() && c.vtag().resourceId().compareTo(found.vtag().resourceId()) < 0)) {
                found = c;
            }
        }
        return Optional.ofNullable(found);
    }
}

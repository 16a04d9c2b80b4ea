package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.VersionTag;

/**
 * The answer to an {@link EndpointCostQuery} (RFC 7285 §11.5.1.6).
 *
 * @param costType       the cost type answered (metric and mode as requested)
 * @param dependentVtags the network map and cost map the answer was computed from
 * @param costs          canonical typed source to (typed destination to cost or rank), kept
 *                       sorted by name (RFC 8785 order), so that {@link #toCanonicalJson} writes
 *                       it as it stands
 */
public record EndpointCostAnswer(CostType costType, List<VersionTag> dependentVtags,
                                 Map<String, Map<String, Double>> costs) {

    public EndpointCostAnswer {
        requireNonNull(costType, "costType");
        dependentVtags = List.copyOf(requireNonNull(dependentVtags, "dependentVtags"));
        TreeMap<String, Map<String, Double>> copy = new TreeMap<>();
        requireNonNull(costs, "costs").forEach((src, row) ->
                copy.put(src, Collections.unmodifiableSortedMap(new TreeMap<>(row))));
        costs = Collections.unmodifiableSortedMap(copy);
    }

    /** The {@code application/alto-endpointcost+json} body. */
    public ObjectNode toJson() {
        return AltoJson.writeEndpointCost(costType, dependentVtags, costs);
    }

    /** The same body as RFC 8785 bytes, written without a JSON tree (what the front end sends). */
    public byte[] toCanonicalJson() {
        return AltoJson.canonicalEndpointCost(costType, dependentVtags, costs);
    }
}

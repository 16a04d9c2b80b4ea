package org.rproxy.core.codec.xml;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.IpAddress;

/**
 * The answer to a ranking request: costs from one source endpoint to each destination, in the
 * order the server chose. In ordinal mode the costs are ranks (1 = most preferred); in numerical
 * mode they are the costs themselves. Rendered as
 * {@code <costmap type mode><row srcendp size><endpoint name cost/>...</row></costmap>}.
 *
 * @param costType the metric and mode of the costs
 * @param source   the source endpoint
 * @param entries  destinations and their costs, each endpoint at most once
 */
public record EndpointCostRow(CostType costType, IpAddress source, List<Entry> entries) {

    public EndpointCostRow {
        requireNonNull(costType, "costType");
        requireNonNull(source, "source");
        entries = List.copyOf(requireNonNull(entries, "entries"));
        Set<IpAddress> seen = new HashSet<>();
        for (Entry e : entries) {
            if (!seen.add(e.endpoint())) {
                throw new IllegalArgumentException("entries: " + e.endpoint() + " twice (expected: once)");
            }
            if (costType.mode() == CostMode.ORDINAL && (e.cost() < 1 || e.cost() != Math.rint(e.cost()))) {
                throw new IllegalArgumentException("entries: rank " + e.cost() + " of " + e.endpoint()
                        + " (expected: a positive integer)");
            }
        }
    }

    /**
     * One destination and its cost (or rank).
     *
     * @param endpoint the destination
     * @param cost     a finite number
     */
    public record Entry(IpAddress endpoint, double cost) {
        public Entry {
            requireNonNull(endpoint, "endpoint");
            if (Double.isNaN(cost) || Double.isInfinite(cost)) {
                throw new IllegalArgumentException("cost: " + cost + " (expected: finite)");
            }
        }
    }
}

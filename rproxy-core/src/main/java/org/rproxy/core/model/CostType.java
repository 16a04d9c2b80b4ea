package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A cost type (RFC 7285 §6.1): a metric and a mode, with an optional description.
 *
 * @param metric      the cost metric, e.g. {@code routingcost} or {@code hopcount}
 * @param mode        numerical or ordinal
 * @param description free text, or null
 */
public record CostType(String metric, CostMode mode, String description) {
    public CostType {
        Identifiers.costMetric(metric, "cost-type/cost-metric");
        requireNonNull(mode, "mode");
    }

    public CostType(String metric, CostMode mode) {
        this(metric, mode, null);
    }

    /** True when metric and mode match (the description does not count). */
    public boolean sameAs(CostType other) {
        return metric.equals(other.metric) && mode == other.mode;
    }
}

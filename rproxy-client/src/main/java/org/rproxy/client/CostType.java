package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMode;

/**
 * A cost type to answer by (RFC 7285 §6.1): a metric ({@code routingcost}, {@code hopcount}, ...)
 * and a mode. {@link LocalAnswers#ROUTING_COST} is the default.
 *
 * @param metric the cost metric, as the origin's cost maps name it
 * @param mode   numerical (the map's costs) or ordinal (ranks)
 */
public record CostType(String metric, Mode mode) {
    /** The cost mode (RFC 7285 §6.1.2). */
    public enum Mode {
        /** Costs as numbers, as the cost map gives them. */
        NUMERICAL,
        /** Costs as ranks, from 1 for the cheapest. */
        ORDINAL
    }

    /**
     * Checks the metric as the origin does.
     *
     * @param metric the cost metric, as the origin's cost maps name it
     * @param mode   numerical (the map's costs) or ordinal (ranks)
     * @throws IllegalArgumentException for a metric RFC 7285 does not allow (not 1 to 32 characters
     *                                  of an identifier)
     */
    public CostType {
        requireNonNull(metric, "metric");
        requireNonNull(mode, "mode");
        toCore(metric, mode); // checks the metric as the origin does
    }

    /**
     * {@return the numerical cost type of {@code metric}}
     *
     * @param metric the cost metric ({@code routingcost}, ...)
     */
    public static CostType numerical(String metric) {
        return new CostType(metric, Mode.NUMERICAL);
    }

    /**
     * {@return the ordinal cost type of {@code metric}}
     *
     * @param metric the cost metric ({@code routingcost}, ...)
     */
    public static CostType ordinal(String metric) {
        return new CostType(metric, Mode.ORDINAL);
    }

    /** The same cost type in core's model, as the answer engine takes it. */
    org.rproxy.core.model.CostType toCore() {
        return toCore(metric, mode);
    }

    private static org.rproxy.core.model.CostType toCore(String metric, Mode mode) {
        try {
            return new org.rproxy.core.model.CostType(metric, mode == Mode.ORDINAL ? CostMode.ORDINAL : CostMode.NUMERICAL);
        } catch (AltoException e) {
            throw new IllegalArgumentException("metric: " + metric + " (" + e.error().message() + ")", e);
        }
    }
}

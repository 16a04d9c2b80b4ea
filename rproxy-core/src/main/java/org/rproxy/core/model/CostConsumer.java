package org.rproxy.core.model;

/**
 * Receives the costs of one row of a {@link CostMap} as primitives, so that a writer visiting
 * millions of costs boxes none of them (see {@link CostMap#forEachCost}).
 */
@FunctionalInterface
public interface CostConsumer {

    /** One known cost: to {@code dst}, finite (and a positive integer in an ordinal map). */
    void accept(String dst, double cost);
}

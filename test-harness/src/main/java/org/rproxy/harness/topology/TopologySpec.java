package org.rproxy.harness.topology;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What to generate. A value out of range is refused naming the {@code harness topology} option
 * that sets it ({@code --pids: 0 (expected: 1-50000)}).
 *
 * @param pids           number of PoPs (one PID each); the default PID comes on top
 * @param prefixesPerPid prefixes per PoP
 * @param costTypes      metrics to write a numerical cost map for: {@code routingcost}, {@code hopcount}
 * @param ordinal        also write an ordinal cost map of the first metric
 * @param extraLinks     links from each PoP to its nearest neighbours beyond the spanning tree
 * @param seed           everything generated follows from it
 */
public record TopologySpec(int pids, int prefixesPerPid, List<String> costTypes, boolean ordinal, int extraLinks,
                           long seed) {
    public static final List<String> METRICS = List.of("routingcost", "hopcount");

    public TopologySpec {
        if (pids < 1 || pids > 50_000) {
            throw new IllegalArgumentException("--pids: " + pids + " (expected: 1-50000)");
        }
        if (prefixesPerPid < 1 || (long) pids * prefixesPerPid > 2_000_000) {
            throw new IllegalArgumentException("--prefixes-per-pid: " + prefixesPerPid
                    + " (expected: >= 1, and at most 2,000,000 prefixes in all, --pids x --prefixes-per-pid)");
        }
        requireNonNull(costTypes, "costTypes");
        costTypes = List.copyOf(costTypes);
        if (costTypes.isEmpty()) {
            throw new IllegalArgumentException("--cost-types: empty (expected: some of " + METRICS + ")");
        }
        for (String t : costTypes) {
            if (!METRICS.contains(t)) {
                throw new IllegalArgumentException("--cost-types: " + t + " (expected: one of " + METRICS + ")");
            }
        }
        if (costTypes.stream().distinct().count() != costTypes.size()) {
            throw new IllegalArgumentException("--cost-types: " + costTypes + " (expected: no repeats)");
        }
        if (extraLinks < 0 || extraLinks > 16) {
            throw new IllegalArgumentException("--extra-links: " + extraLinks + " (expected: 0-16)");
        }
    }

    /** Both metrics, an ordinal variant, two extra links per PoP. */
    public static TopologySpec of(int pids, int prefixesPerPid, long seed) {
        return new TopologySpec(pids, prefixesPerPid, METRICS, true, 2, seed);
    }
}

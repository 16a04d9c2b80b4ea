package org.rproxy.harness.topology;

import java.util.List;

/**
 * A generated ISP: PID names, each PoP's prefixes, and the full cost matrices (PoPs plus the
 * default PID, which holds {@code 0.0.0.0/0} so the network map is complete and stands for
 * everything outside the ISP, reached through the border PoPs).
 *
 * <p>Matrices are row-major over {@link #pidCount()} PIDs, the default PID last. Arrays are
 * owned by this object and never handed out for writing; it is effectively immutable.
 */
public final class Topology {
    /** Name of the PID that holds {@code 0.0.0.0/0}. */
    public static final String DEFAULT_PID = "default";

    private final TopologySpec spec;
    private final String[] pids;
    private final long[][] prefixes;
    private final int[] borders;
    private final int[] routingCost;
    private final int[] hopCount;
    private final int links;

    Topology(TopologySpec spec, String[] pids, long[][] prefixes, int[] borders, int[] routingCost, int[] hopCount,
             int links) {
        this.spec = spec;
        this.pids = pids;
        this.prefixes = prefixes;
        this.borders = borders;
        this.routingCost = routingCost;
        this.hopCount = hopCount;
        this.links = links;
    }

    public TopologySpec spec() {
        return spec;
    }

    /** PoPs plus the default PID. */
    public int pidCount() {
        return pids.length;
    }

    public String pid(int index) {
        return pids[index];
    }

    public List<String> pidNames() {
        return List.of(pids);
    }

    /** Prefixes of PID {@code index} as {@code a.b.c.d/len}. */
    public List<String> prefixes(int index) {
        long[] p = prefixes[index];
        String[] out = new String[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = PrefixAllocator.format(p[i]);
        }
        return List.of(out);
    }

    long[] rawPrefixes(int index) {
        return prefixes[index];
    }

    public int prefixCount() {
        int n = 0;
        for (long[] p : prefixes) {
            n += p.length;
        }
        return n;
    }

    public int linkCount() {
        return links;
    }

    public int borderCount() {
        return borders.length;
    }

    /** The cost from PID {@code src} to PID {@code dst} under {@code metric}. */
    public int cost(String metric, int src, int dst) {
        return matrix(metric)[src * pids.length + dst];
    }

    /** The dense rank (1 = cheapest; ties share a rank) of {@code dst} among {@code src}'s destinations. */
    public int[] ordinalRow(String metric, int src) {
        return Ordinal.denseRanks(matrix(metric), src * pids.length, pids.length);
    }

    private int[] matrix(String metric) {
        int[] m = metric.equals("routingcost") ? routingCost : metric.equals("hopcount") ? hopCount : null;
        if (m != null) {
            return m;
        }
        switch (metric) {
            case "routingcost":
            case "hopcount":
                throw new IllegalArgumentException("metric: " + metric + " was not generated (asked for "
                        + spec.costTypes() + ")");
            default: throw new IllegalArgumentException("metric: " + metric + " (expected: one of " + TopologySpec.METRICS + ")");
        }
    }
}

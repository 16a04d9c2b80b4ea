package org.rproxy.harness.topology;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generates a {@link Topology} from a {@link TopologySpec}: the same spec (seed included) always
 * gives the same ISP, so a load test can be repeated and a report names what it ran on.
 *
 * <p>PoP-to-PoP routing costs are shortest-path sums of link weights; hop counts are links on a
 * fewest-hop path. The default PID (everything outside the ISP) is reached through the nearest
 * border PoP plus a transit cost (two hops for hop count), and costs nothing to itself. Every
 * cost is symmetric because links are. Runs on the caller's thread.
 */
public final class TopologyGenerator {
    /** Cost of leaving the ISP through a border PoP: more than crossing the backbone. */
    static final int TRANSIT_COST = 2_000;

    private TopologyGenerator() {
    }

    public static Topology generate(TopologySpec spec) {
        requireNonNull(spec, "spec");
        int n = spec.pids();
        PopGraph graph = PopGraph.generate(n, spec.extraLinks(), stream(spec.seed(), 1));
        String[] names = names(n);
        long[][] prefixes = prefixes(spec, stream(spec.seed(), 2));
        int[] borders = borders(n, stream(spec.seed(), 3));
        int[] routing = withDefault(ShortestPaths.routingCosts(graph), n, borders, TRANSIT_COST);
        int[] hops = spec.costTypes().contains("hopcount")
                ? withDefault(ShortestPaths.hopCounts(graph), n, borders, 1) : null;
        return new Topology(spec, names, prefixes, borders, routing, hops, graph.linkCount());
    }

    /** An independent, reproducible random stream per purpose, so adding a use of one leaves the others alone. */
    static SplittableRandom stream(long seed, int purpose) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + purpose);
    }

    private static String[] names(int n) {
        int width = Math.max(4, String.valueOf(n).length());
        String[] names = new String[n + 1];
        for (int i = 0; i < n; i++) {
            names[i] = "pop-" + String.format("%0" + width + "d", i + 1);
        }
        names[n] = Topology.DEFAULT_PID;
        return names;
    }

    private static long[][] prefixes(TopologySpec spec, SplittableRandom random) {
        PrefixAllocator alloc = new PrefixAllocator(random);
        long[][] out = new long[spec.pids() + 1][];
        for (int i = 0; i < spec.pids(); i++) {
            out[i] = new long[spec.prefixesPerPid()];
            for (int k = 0; k < out[i].length; k++) {
                out[i][k] = alloc.next();
            }
        }
        out[spec.pids()] = new long[] {0L};
        return out;
    }

    /** About one PoP in 25 (at least one) peers with the rest of the Internet. */
    private static int[] borders(int n, SplittableRandom random) {
        int count = Math.max(1, n / 25);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] b = Arrays.copyOf(all, count);
        Arrays.sort(b);
        return b;
    }

    /** The PoP matrix grown by one row and column for the default PID, reached via the nearest border. */
    private static int[] withDefault(int[] pops, int n, int[] borders, int transit) {
        int p = n + 1;
        int[] out = new int[p * p];
        for (int s = 0; s < n; s++) {
            System.arraycopy(pops, s * n, out, s * p, n);
            int best = Integer.MAX_VALUE;
            for (int b : borders) {
                best = Math.min(best, pops[s * n + b]);
            }
            out[s * p + n] = best + transit;
            out[n * p + s] = best + transit;
        }
        out[n * p + n] = 0;
        return out;
    }
}

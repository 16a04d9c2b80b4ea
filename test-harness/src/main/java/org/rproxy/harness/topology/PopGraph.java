package org.rproxy.harness.topology;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The points of presence of a synthetic ISP and the links between them: PoPs are points in a
 * unit square, each joined to the nearest earlier PoP (so the graph is connected and looks like
 * a backbone grown outwards) and to a few of its nearest neighbours (so there are alternative
 * paths). A link's weight is its length, as an IGP metric would be set. Links are undirected.
 *
 * <p>Held in compressed-sparse-row form so that shortest paths over thousands of PoPs need no
 * objects per edge. Immutable after construction; built on the caller's thread.
 */
final class PopGraph {
    private final int size;
    private final double[] x;
    private final double[] y;
    private final int[] offsets;
    private final int[] targets;
    private final int[] weights;

    private PopGraph(int size, double[] x, double[] y, int[] offsets, int[] targets, int[] weights) {
        this.size = size;
        this.x = x;
        this.y = y;
        this.offsets = offsets;
        this.targets = targets;
        this.weights = weights;
    }

    /**
     * @param size       number of PoPs, >= 1
     * @param extraLinks links from each PoP to its nearest neighbours, beyond the tree link
     */
    static PopGraph generate(int size, int extraLinks, SplittableRandom random) {
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        double[] x = new double[size];
        double[] y = new double[size];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextDouble();
            y[i] = random.nextDouble();
        }
        EdgeSet edges = new EdgeSet(size * (extraLinks + 1));
        for (int i = 1; i < size; i++) {
            edges.add(i, nearest(x, y, i, i));
        }
        int[] best = new int[extraLinks];
        for (int i = 0; i < size && extraLinks > 0; i++) {
            int found = nearestK(x, y, i, best);
            for (int k = 0; k < found; k++) {
                edges.add(i, best[k]);
            }
        }
        return build(size, x, y, edges);
    }

    private static PopGraph build(int size, double[] x, double[] y, EdgeSet edges) {
        int[] degree = new int[size];
        long[] all = edges.sorted();
        for (long e : all) {
            degree[(int) (e >>> 32)]++;
            degree[(int) e]++;
        }
        int[] offsets = new int[size + 1];
        for (int i = 0; i < size; i++) {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        int[] fill = Arrays.copyOf(offsets, size);
        int[] targets = new int[offsets[size]];
        int[] weights = new int[offsets[size]];
        for (long e : all) {
            int a = (int) (e >>> 32);
            int b = (int) e;
            int w = Math.max(1, (int) Math.round(Math.hypot(x[a] - x[b], y[a] - y[b]) * 1000));
            targets[fill[a]] = b;
            weights[fill[a]++] = w;
            targets[fill[b]] = a;
            weights[fill[b]++] = w;
        }
        return new PopGraph(size, x, y, offsets, targets, weights);
    }

    /** The nearest of PoPs {@code 0..limit-1} to PoP {@code i}. */
    private static int nearest(double[] x, double[] y, int i, int limit) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int j = 0; j < limit; j++) {
            double d = sq(x[i] - x[j]) + sq(y[i] - y[j]);
            if (d < bestD) {
                bestD = d;
                best = j;
            }
        }
        return best;
    }

    /** Fills {@code out} with the nearest other PoPs to {@code i}, nearest first; returns how many. */
    private static int nearestK(double[] x, double[] y, int i, int[] out) {
        double[] dist = new double[out.length];
        int found = 0;
        for (int j = 0; j < x.length; j++) {
            if (j == i) {
                continue;
            }
            double d = sq(x[i] - x[j]) + sq(y[i] - y[j]);
            if (found < out.length || d < dist[found - 1]) {
                int pos = found < out.length ? found++ : found - 1;
                while (pos > 0 && dist[pos - 1] > d) {
                    dist[pos] = dist[pos - 1];
                    out[pos] = out[pos - 1];
                    pos--;
                }
                dist[pos] = d;
                out[pos] = j;
            }
        }
        return found;
    }

    private static double sq(double v) {
        return v * v;
    }

    int size() {
        return size;
    }

    int linkCount() {
        return targets.length / 2;
    }

    int firstLink(int node) {
        return offsets[node];
    }

    int endLink(int node) {
        return offsets[node + 1];
    }

    int target(int link) {
        return targets[link];
    }

    int weight(int link) {
        return weights[link];
    }

    double x(int node) {
        return x[node];
    }

    double y(int node) {
        return y[node];
    }

    /** Undirected edges as {@code min << 32 | max}, without repeats. */
    private static final class EdgeSet {
        private long[] edges;
        private int count;

        EdgeSet(int capacity) {
            edges = new long[Math.max(4, capacity)];
        }

        void add(int a, int b) {
            if (a == b) {
                return;
            }
            if (count == edges.length) {
                edges = Arrays.copyOf(edges, count * 2);
            }
            edges[count++] = ((long) Math.min(a, b) << 32) | Math.max(a, b);
        }

        long[] sorted() {
            long[] s = Arrays.copyOf(edges, count);
            Arrays.sort(s);
            int n = 0;
            for (int i = 0; i < s.length; i++) {
                if (i == 0 || s[i] != s[i - 1]) {
                    s[n++] = s[i];
                }
            }
            return Arrays.copyOf(s, n);
        }
    }
}

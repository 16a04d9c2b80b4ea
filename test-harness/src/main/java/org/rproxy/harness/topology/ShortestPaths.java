package org.rproxy.harness.topology;

import java.util.Arrays;

/**
 * All-pairs distances over a {@link PopGraph}: routing cost by Dijkstra from every PoP (a binary
 * heap of {@code distance << 32 | node} with lazy deletion, so no objects per step) and hop
 * counts by breadth-first search. For 2,000 PoPs that is 4,000,000 entries of each, computed in
 * about a second. Results are row-major {@code int[size * size]}; runs on the caller's thread.
 */
final class ShortestPaths {
    private ShortestPaths() {
    }

    static int[] routingCosts(PopGraph g) {
        int n = g.size();
        int[] out = new int[n * n];
        int[] dist = new int[n];
        long[] heap = new long[Math.max(16, g.linkCount() * 2 + n)];
        for (int src = 0; src < n; src++) {
            dijkstra(g, src, dist, heap);
            System.arraycopy(dist, 0, out, src * n, n);
        }
        return out;
    }

    static int[] hopCounts(PopGraph g) {
        int n = g.size();
        int[] out = new int[n * n];
        int[] dist = new int[n];
        int[] queue = new int[n];
        for (int src = 0; src < n; src++) {
            Arrays.fill(dist, -1);
            dist[src] = 0;
            int head = 0;
            int tail = 0;
            queue[tail++] = src;
            while (head < tail) {
                int u = queue[head++];
                for (int l = g.firstLink(u); l < g.endLink(u); l++) {
                    int v = g.target(l);
                    if (dist[v] < 0) {
                        dist[v] = dist[u] + 1;
                        queue[tail++] = v;
                    }
                }
            }
            System.arraycopy(dist, 0, out, src * n, n);
        }
        return out;
    }

    private static void dijkstra(PopGraph g, int src, int[] dist, long[] heap) {
        Arrays.fill(dist, Integer.MAX_VALUE);
        dist[src] = 0;
        int size = 0;
        heap[size++] = src;
        while (size > 0) {
            long top = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size);
            int u = (int) top;
            int d = (int) (top >>> 32);
            if (d > dist[u]) {
                continue;
            }
            for (int l = g.firstLink(u); l < g.endLink(u); l++) {
                int v = g.target(l);
                int nd = d + g.weight(l);
                if (nd < dist[v]) {
                    dist[v] = nd;
                    heap[size] = ((long) nd << 32) | v;
                    siftUp(heap, size++);
                }
            }
        }
    }

    private static void siftUp(long[] heap, int i) {
        long v = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
    }

    private static void siftDown(long[] heap, int size) {
        if (size == 0) {
            return;
        }
        long v = heap[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= v) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = v;
    }
}

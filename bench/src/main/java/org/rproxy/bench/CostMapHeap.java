package org.rproxy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.VersionTag;

/**
 * How much heap a parsed cost map keeps and how long parsing it takes: a measurement, not a
 * benchmark with a verdict. Reads the file once, then for each run parses it with
 * {@link AltoJson#readCostMap(byte[], VersionTag)}, keeps the map, and reports the live heap
 * after a full collection minus the live heap before the parse (the bytes of the file are live
 * in both, so they cancel out). Run it with a heap big enough for the old representation, e.g.
 * {@code java -Xmx2g -cp bench/target/benchmarks.jar org.rproxy.bench.CostMapHeap
 * /tmp/topo/routingcost-map.json 5}; {@code --once} parses one time and reports nothing, so a
 * script can find the smallest {@code -Xmx} in which a parse succeeds (the transient peak).
 * Single-threaded.
 */
public final class CostMapHeap {
    private static final Pattern UNTAGGED = Pattern.compile("\"dependent-vtags\":\\[\\{(\"resource-id\":\"[^\"]*\")\\}");

    private CostMapHeap() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: CostMapHeap COST_MAP.json [RUNS | --once]");
            System.exit(2);
        }
        byte[] bytes = withDependentTag(Files.readAllBytes(Path.of(args[0])));
        VersionTag fallback = new VersionTag("measured-cost-map", "1");
        if (args.length > 1 && args[1].equals("--once")) {
            CostMap map = AltoJson.readCostMap(bytes, fallback);
            System.out.println("parsed " + map.costs().size() + " rows");
            return;
        }
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long[] retained = new long[runs];
        long[] millis = new long[runs];
        for (int i = 0; i < runs; i++) {
            long before = liveHeap();
            long start = System.nanoTime();
            CostMap map = AltoJson.readCostMap(bytes, fallback);
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            retained[i] = liveHeap() - before;
            long costs = map.costs().values().stream().mapToLong(r -> r.size()).sum();
            System.out.printf(Locale.ROOT, "run %d: %,d costs, parse %,d ms, retained %.1f MB (%.1f bytes per cost)%n",
                    i + 1, costs, millis[i], retained[i] / 1e6, (double) retained[i] / costs);
            map = null;
        }
        Arrays.sort(retained);
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "median of %d: parse %,d ms, retained %.1f MB (JSON %.1f MB)%n",
                runs, millis[runs / 2], retained[runs / 2] / 1e6, bytes.length / 1e6);
    }

    /**
     * The document as the origin serves it: {@code bin/harness topology} writes the network map's
     * id in {@code dependent-vtags} and leaves its tag to the origin, which the reader requires.
     */
    private static byte[] withDependentTag(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
        Matcher m = UNTAGGED.matcher(head);
        if (!m.find()) {
            return bytes;
        }
        byte[] tag = ",\"tag\":\"measured\"".getBytes(StandardCharsets.UTF_8);
        int at = head.substring(0, m.end(1)).getBytes(StandardCharsets.UTF_8).length;
        byte[] out = new byte[bytes.length + tag.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(tag, 0, out, at, tag.length);
        System.arraycopy(bytes, at, out, at + tag.length, bytes.length - at);
        return out;
    }

    /** Used heap after full collections, once it stops shrinking. */
    private static long liveHeap() {
        Runtime rt = Runtime.getRuntime();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = rt.totalMemory() - rt.freeMemory();
            if (used >= last) {
                return used;
            }
            last = used;
        }
        return last;
    }
}

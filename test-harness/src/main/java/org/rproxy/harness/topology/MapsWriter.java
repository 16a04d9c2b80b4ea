package org.rproxy.harness.topology;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link Topology} as a maps folder the origin serves (docs/origin.md, "The maps folder"):
 * {@code network-map.json} (resource id {@code default-network-map}), one numerical cost map per
 * metric ({@code METRIC-map.json}) and, when asked, {@code METRIC-ordinal-map.json}. Cost maps
 * name the network map in {@code meta.dependent-vtags} without a tag, so the origin follows it.
 *
 * <p>Documents are streamed row by row (a 2,000-PID cost map has 4,000,000 entries and is never
 * held as a tree) and each file is replaced atomically. Output depends only on the topology:
 * the same seed gives the same bytes.
 */
public final class MapsWriter {
    public static final String NETWORK_MAP_FILE = "network-map.json";
    public static final String NETWORK_MAP_ID = "default-network-map";

    private MapsWriter() {
    }

    /** Writes every file into {@code dir} (created if missing) and returns their paths. */
    public static List<Path> write(Topology topo, Path dir) throws IOException {
        requireNonNull(topo, "topo");
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path net = dir.resolve(NETWORK_MAP_FILE);
        AtomicFile.write(net, out -> writeNetworkMap(topo, out));
        written.add(net);
        List<String> metrics = topo.spec().costTypes();
        for (String metric : metrics) {
            Path p = dir.resolve(metric + "-map.json");
            AtomicFile.write(p, out -> writeCostMap(topo, metric, false, out));
            written.add(p);
        }
        if (topo.spec().ordinal()) {
            Path p = dir.resolve(metrics.get(0) + "-ordinal-map.json");
            AtomicFile.write(p, out -> writeCostMap(topo, metrics.get(0), true, out));
            written.add(p);
        }
        return written;
    }

    static void writeNetworkMap(Topology topo, Writer out) throws IOException {
        out.write("{\"meta\":{\"vtag\":{\"resource-id\":\"" + NETWORK_MAP_ID + "\"}},\n\"network-map\":{\n");
        for (int i = 0; i < topo.pidCount(); i++) {
            out.write(i == 0 ? "\"" : ",\n\"");
            out.write(topo.pid(i));
            out.write("\":{\"ipv4\":[");
            long[] prefixes = topo.rawPrefixes(i);
            for (int k = 0; k < prefixes.length; k++) {
                out.write(k == 0 ? "\"" : ",\"");
                out.write(PrefixAllocator.format(prefixes[k]));
                out.write('"');
            }
            out.write("]}");
        }
        out.write("\n}}\n");
    }

    static void writeCostMap(Topology topo, String metric, boolean ordinal, Writer out) throws IOException {
        out.write("{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"" + NETWORK_MAP_ID + "\"}],"
                + "\"cost-type\":{\"cost-mode\":\"" + (ordinal ? "ordinal" : "numerical") + "\",\"cost-metric\":\""
                + metric + "\",\"description\":\"" + describe(topo, metric) + "\"}},\n\"cost-map\":{\n");
        int n = topo.pidCount();
        for (int s = 0; s < n; s++) {
            out.write(s == 0 ? "\"" : ",\n\"");
            out.write(topo.pid(s));
            out.write("\":{");
            int[] ranks = ordinal ? topo.ordinalRow(metric, s) : null;
            for (int d = 0; d < n; d++) {
                out.write(d == 0 ? "\"" : ",\"");
                out.write(topo.pid(d));
                out.write("\":");
                out.write(Integer.toString(ordinal ? ranks[d] : topo.cost(metric, s, d)));
            }
            out.write('}');
        }
        out.write("\n}}\n");
    }

    private static String describe(Topology topo, String metric) {
        String what = metric.equals("hopcount") ? "links on the fewest-hop path" : "shortest-path sum of link weights";
        return what + " (synthetic ISP: " + topo.spec().pids() + " PoPs, seed " + topo.spec().seed() + ")";
    }
}

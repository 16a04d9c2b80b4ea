package org.rproxy.harness.churn;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Changes a maps folder the way a live network does, so that push mode has real work: each
 * round changes a share of the costs of every numerical cost map (a pair and its reverse
 * together, each by a random factor between 0.5 and 1.5, integers kept integers and at least 1),
 * rebuilds ordinal maps from the numerical map of their metric (or swaps ranks when there is
 * none), and every few rounds moves one prefix from a PID that has several to another PID
 * (never touching a PID that holds a default prefix), which keeps the network map complete and
 * non-overlapping.
 *
 * <p>Files are replaced atomically (temporary file, then rename), so the origin's watcher only
 * sees whole documents. Explicit version tags are dropped from what it writes, so the origin
 * derives new tags from the content. Single-threaded: one round at a time.
 */
public final class Churner {
    private final Path dir;
    private final double fraction;
    private final int moveEvery;
    private final SplittableRandom random;
    private final NetworkMapFile network;
    private final List<CostMapFile> costMaps = new ArrayList<>();
    private int round;

    /** What one round did. */
    public record Round(int number, long costsChanged, String moved, List<Path> written, long millis) {
        public Round {
            written = List.copyOf(written);
        }
    }

    /**
     * A value out of range is refused naming the {@code harness churn} option that sets it.
     *
     * @param fraction  share of the (source, destination) pairs changed per round, 0 to 1
     * @param moveEvery move a prefix every this many rounds (0: never)
     */
    public Churner(Path dir, double fraction, int moveEvery, long seed) throws IOException {
        this.dir = requireNonNull(dir, "dir");
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--fraction: " + fraction + " (expected: 0 to 1)");
        }
        if (moveEvery < 0) {
            throw new IllegalArgumentException("--move-every: " + moveEvery + " (expected: >= 0; 0 never)");
        }
        this.fraction = fraction;
        this.moveEvery = moveEvery;
        this.random = new SplittableRandom(seed);
        NetworkMapFile net = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            List<Path> files = new ArrayList<>();
            ds.forEach(files::add);
            files.sort(null);
            for (Path p : files) {
                String head = head(p);
                if (head.contains("\"cost-map\"")) {
                    costMaps.add(CostMapFile.read(p));
                } else if (net == null && head.contains("\"network-map\"")) {
                    net = NetworkMapFile.read(p);
                }
            }
        }
        if (net == null) {
            throw new IOException(dir + ": no network map to churn");
        }
        this.network = net;
    }

    /** Runs one round and writes the files it changed. */
    public Round round() throws IOException {
        long t0 = System.nanoTime();
        round++;
        long changed = 0;
        List<Path> written = new ArrayList<>();
        for (CostMapFile m : costMaps) {
            if (!m.ordinal) {
                changed += perturb(m);
            }
        }
        for (CostMapFile m : costMaps) {
            if (m.ordinal) {
                reRank(m);
            }
        }
        String moved = moveEvery > 0 && round % moveEvery == 0 ? movePrefix() : null;
        for (CostMapFile m : costMaps) {
            dropTag(m.meta.path("dependent-vtags"));
            m.write();
            written.add(m.file);
        }
        if (moved != null) {
            dropTag(network.meta == null ? null : network.meta.path("vtag"));
            network.write();
            written.add(network.file);
        }
        return new Round(round, changed, moved, written, (System.nanoTime() - t0) / 1_000_000);
    }

    private long perturb(CostMapFile m) {
        int n = m.size();
        long pairs = (long) n * (n - 1) / 2;
        long count = Math.round(pairs * fraction);
        long changed = 0;
        for (long k = 0; k < count; k++) {
            int a = random.nextInt(n);
            int b = random.nextInt(n);
            if (a == b) {
                continue;
            }
            double factor = 0.5 + random.nextDouble();
            changed += scale(m, a, b, factor) + scale(m, b, a, factor);
        }
        return changed;
    }

    private static int scale(CostMapFile m, int a, int b, double factor) {
        double v = m.get(a, b);
        if (Double.isNaN(v)) {
            return 0;
        }
        double nv = v == Math.rint(v) ? Math.max(1, Math.round(v * factor)) : Math.max(0.001, v * factor);
        m.set(a, b, nv);
        return nv == v ? 0 : 1;
    }

    /** Ranks rebuilt from the numerical map of the same metric over the same PIDs, else two ranks swapped per changed row. */
    private void reRank(CostMapFile ord) {
        CostMapFile num = costMaps.stream().filter(c -> !c.ordinal && c.metric.equals(ord.metric)
                && c.pids.equals(ord.pids)).findFirst().orElse(null);
        int n = ord.size();
        for (int s = 0; s < n; s++) {
            if (num != null) {
                double[] row = new double[n];
                for (int d = 0; d < n; d++) {
                    row[d] = num.get(s, d);
                }
                double[] ranks = Ranks.dense(row);
                for (int d = 0; d < n; d++) {
                    if (!Double.isNaN(ord.get(s, d))) {
                        ord.set(s, d, ranks[d]);
                    }
                }
            } else if (random.nextDouble() < fraction && n > 1) {
                int a = random.nextInt(n);
                int b = random.nextInt(n);
                double t = ord.get(s, a);
                ord.set(s, a, ord.get(s, b));
                ord.set(s, b, t);
            }
        }
    }

    /** Moves one prefix between two PIDs that hold no default prefix; null when no PID has two. */
    private String movePrefix() {
        List<String> donors = new ArrayList<>();
        List<String> takers = new ArrayList<>();
        network.pids.forEach((pid, fams) -> {
            boolean holdsDefault = fams.values().stream().anyMatch(l -> l.stream().anyMatch(p -> p.endsWith("/0")));
            if (holdsDefault) {
                return;
            }
            takers.add(pid);
            if (fams.getOrDefault("ipv4", List.of()).size() >= 2) {
                donors.add(pid);
            }
        });
        if (donors.isEmpty() || takers.size() < 2) {
            return null;
        }
        String from = donors.get(random.nextInt(donors.size()));
        String to = from;
        while (to.equals(from)) {
            to = takers.get(random.nextInt(takers.size()));
        }
        List<String> src = network.pids.get(from).get("ipv4");
        String prefix = src.remove(random.nextInt(src.size()));
        network.pids.get(to).computeIfAbsent("ipv4", k -> new ArrayList<>()).add(prefix);
        return prefix + " " + from + " -> " + to;
    }

    private static void dropTag(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("tag");
        } else if (node != null && node.isArray()) {
            node.forEach(Churner::dropTag);
        }
    }

    private static String head(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(8192), StandardCharsets.UTF_8);
        }
    }

    Map<String, Map<String, List<String>>> networkPids() {
        return network.pids;
    }

    Path dir() {
        return dir;
    }
}

package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code overlay} scenario's processes cost, sampled every {@link #PERIOD_MILLIS} from
 * {@code /proc} inside its network namespace: each process's threads, open descriptors, resident
 * memory and CPU time (the run's own JVM, the peer processes, the RProxy, the fallback proxy), and
 * the namespace's UDP counters, which count the DHT's traffic alone (BitTorrent and HTTP are TCP,
 * and nothing else is in the namespace). A load-test engineer reads from these whether a peer's
 * cost is flat or grows, and whether the DHT drops datagrams. Linux only: elsewhere every figure
 * is -1. Samples are taken on a thread of its own; {@link #phase} and the summaries are called
 * from the scenario's thread. Thread-safe (one lock).
 */
final class OverlayResources implements AutoCloseable {
    static final long PERIOD_MILLIS = 2_000;

    /** One process's figures at one time; -1 for what could not be read. */
    record Usage(long threads, long fds, long rssKib, long cpuMillis) {
        static Usage of(long pid) {
            long threads = -1;
            long rss = -1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("Threads:")) {
                        threads = Long.parseLong(line.substring(8).trim());
                    } else if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or the process is gone
            }
            return new Usage(threads, NodeSampler.openDescriptors(pid), rss, ProcessCpu.millis(Long.toString(pid)));
        }

        Usage max(Usage o) {
            return new Usage(Math.max(threads, o.threads), Math.max(fds, o.fds), Math.max(rssKib, o.rssKib),
                    Math.max(cpuMillis, o.cpuMillis));
        }
    }

    /** The namespace's UDP counters ({@code /proc/self/net/snmp}): datagrams in and out, receive errors, buffer drops. */
    record Udp(long in, long out, long inErrors, long rcvbufErrors) {
        static final Udp NONE = new Udp(-1, -1, -1, -1);

        static Udp read() {
            try {
                return parse(Files.readString(Path.of("/proc/self/net/snmp")));
            } catch (IOException | RuntimeException e) {
                return NONE;
            }
        }

        /** The {@code Udp:} lines of a {@code /proc/net/snmp} text (a header line, then a line of values). */
        static Udp parse(String snmp) {
            List<String[]> udp = new ArrayList<>();
            for (String line : snmp.split("\n")) {
                if (line.startsWith("Udp: ")) {
                    udp.add(line.substring(5).trim().split("\\s+"));
                }
            }
            if (udp.size() < 2) {
                return NONE;
            }
            Map<String, Long> m = new LinkedHashMap<>();
            for (int i = 0; i < udp.get(0).length && i < udp.get(1).length; i++) {
                m.put(udp.get(0)[i], Long.parseLong(udp.get(1)[i]));
            }
            return new Udp(m.getOrDefault("InDatagrams", -1L), m.getOrDefault("OutDatagrams", -1L),
                    m.getOrDefault("InErrors", -1L), m.getOrDefault("RcvbufErrors", -1L));
        }

        Udp minus(Udp o) {
            return this == NONE || o == NONE ? NONE : new Udp(in - o.in, out - o.out, inErrors - o.inErrors,
                    rcvbufErrors - o.rcvbufErrors);
        }
    }

    private final Map<Long, Integer> peerProcesses;
    private final Path csv;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "overlay-resources");
        t.setDaemon(true);
        return t;
    });
    private final StringBuilder rows = new StringBuilder("s,phase,pid,role,threads,fds,rss_kib,cpu_ms\n");
    private final long start = System.nanoTime();
    /** Peak figures by role ("peers" is per peer process). */
    private final Map<String, Usage> peaks = new LinkedHashMap<>();
    private final Map<Long, Usage> last = new LinkedHashMap<>();
    private final Map<String, Udp> udpAtPhase = new LinkedHashMap<>();
    private String phase = "join and publish";
    private Udp udpPhaseStart = Udp.read();

    /**
     * Starts sampling this process and its children.
     *
     * @param peerProcesses the peer processes' PIDs, each with the number of peers it runs
     * @param csv           where {@link #close} writes every sample
     */
    OverlayResources(Map<Long, Integer> peerProcesses, Path csv) {
        this.peerProcesses = Map.copyOf(peerProcesses);
        this.csv = csv;
        sampler.scheduleWithFixedDelay(this::sample, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** From now on samples belong to {@code name}; the DHT's datagrams are counted per phase. */
    synchronized void phase(String name) {
        Udp now = Udp.read();
        udpAtPhase.put(phase, now.minus(udpPhaseStart));
        udpPhaseStart = now;
        phase = name;
    }

    private void sample() {
        Map<Long, String> roles = new LinkedHashMap<>();
        roles.put(ProcessHandle.current().pid(), "run");
        ProcessHandle.current().children().forEach(h -> roles.put(h.pid(), role(h.pid())));
        Map<Long, Usage> now = new LinkedHashMap<>();
        roles.keySet().forEach(pid -> now.put(pid, Usage.of(pid)));
        long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        synchronized (this) {
            now.forEach((pid, u) -> {
                if (u.threads() < 0) {
                    return;
                }
                String role = roles.get(pid);
                peaks.merge(role, u, Usage::max);
                last.put(pid, u);
                rows.append(String.format(Locale.ROOT, "%d,%s,%d,%s,%d,%d,%d,%d%n", s, phase, pid, role, u.threads(), u.fds(),
                        u.rssKib(), u.cpuMillis()));
            });
        }
    }

    private String role(long pid) {
        if (peerProcesses.containsKey(pid)) {
            return "peers";
        }
        try {
            String cmd = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            return cmd.contains("--overlay") ? "rproxy" : "fallback";
        } catch (IOException | RuntimeException e) {
            return "other";
        }
    }

    /**
     * The verdict table's lines, after one more sample: each role's peak figures (per peer for the
     * peer processes), the DHT's datagrams, per phase. Called once, at the end.
     */
    synchronized List<Check> checks(int peers, double seconds) {
        sample();
        phase(phase);
        List<Check> out = new ArrayList<>();
        int perProcess = peerProcesses.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        Usage p = peaks.get("peers");
        if (p != null) {
            long cpu = peerProcesses.keySet().stream().map(last::get).filter(u -> u != null)
                    .mapToLong(Usage::cpuMillis).sum();
            long endThreads = peerProcesses.keySet().stream().map(last::get).filter(u -> u != null)
                    .mapToLong(Usage::threads).max().orElse(-1);
            out.add(Check.info("resources: a peer process at its peak (" + perProcess + " peers in each)", String.format(
                    Locale.ROOT, "threads %d (%.1f a peer; %d at the end), descriptors %d (%.1f a peer), resident %d MiB"
                            + " (%.1f MiB a peer); CPU of all peer processes %.1f s (%.2f s a peer)", p.threads(),
                    p.threads() / (double) perProcess, endThreads, p.fds(), p.fds() / (double) perProcess, p.rssKib() / 1024,
                    p.rssKib() / 1024.0 / perProcess, cpu / 1e3, cpu / 1e3 / peers)));
        }
        for (String role : List.of("rproxy", "fallback", "run")) {
            Usage u = peaks.get(role);
            if (u != null) {
                out.add(Check.info("resources: " + switch (role) {
                    case "rproxy" -> "the RProxy";
                    case "fallback" -> "the fallback proxy";
                    default -> "the run's JVM (origin, relays, poisoners, probe)";
                } + " at its peak", describe(u)));
            }
        }
        Udp all = udpAtPhase.values().stream().reduce(new Udp(0, 0, 0, 0), (a, b) -> b == Udp.NONE || a == Udp.NONE
                ? Udp.NONE : new Udp(a.in + b.in, a.out + b.out, a.inErrors + b.inErrors, a.rcvbufErrors + b.rcvbufErrors));
        StringBuilder byPhase = new StringBuilder();
        udpAtPhase.forEach((name, u) -> byPhase.append(byPhase.isEmpty() ? "" : ", ").append(name).append(' ')
                .append(fmt(u.in())));
        out.add(Check.info("DHT traffic (UDP datagrams in the namespace)", all == Udp.NONE ? "not readable here" : String.format(
                Locale.ROOT, "%s received, %s sent (%.1f received a peer a second over %.0f s); received by phase: %s;"
                        + " receive errors %s, dropped for a full socket buffer %s", fmt(all.in()), fmt(all.out()),
                all.in() / (double) peers / Math.max(1, seconds), seconds, byPhase, fmt(all.inErrors()),
                fmt(all.rcvbufErrors()))));
        return out;
    }

    private static String describe(Usage u) {
        return String.format(Locale.ROOT, "threads %d, descriptors %d, resident %d MiB, CPU %.1f s", u.threads(), u.fds(),
                u.rssKib() / 1024, u.cpuMillis() / 1e3);
    }

    /** Stops sampling (after one last sample) and writes every sample to the CSV. */
    @Override
    public void close() throws IOException {
        sampler.shutdownNow();
        sample();
        String text;
        synchronized (this) {
            text = rows.toString();
        }
        Files.writeString(csv, text, StandardCharsets.UTF_8);
    }
}

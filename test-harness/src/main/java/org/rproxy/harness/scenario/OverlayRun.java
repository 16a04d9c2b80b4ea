package org.rproxy.harness.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.harness.churn.Churner;
import org.rproxy.harness.topology.TopologySpec;

/**
 * The body of the {@code overlay} scenario, run by {@link OverlayScenario} in a JVM of its own
 * inside a fresh network namespace (its peers' 100.64.0.0/10 addresses on the namespace's
 * {@code lo}; nothing can leave it). Sets up the {@link OverlayCast}, starts the peers in
 * {@link PeerGroupProcess}es, and runs the phases: the peers join; the RProxy publishes, a
 * poisoner publishes a tampered cost map under a newer version and a stale publisher points at
 * the current maps and never moves; (1) every peer fetches the
 * network map and the cost map (spread over the window); (2) the cost map changes at the origin
 * (the stale publisher's pointer now names an older version), and every peer fetches the cost
 * map every {@link #POLL} until it holds the new version, for at most {@link #CHANGE_LIMIT}, while
 * a probe peer tells when the overlay first offers the new version (how promptly the RProxy
 * published it).
 * Writes {@code checks.tsv} (read back by the scenario), {@code peers.csv}, every line the
 * peers said ({@code peer-lines.log}), every resource sample ({@link OverlayResources},
 * {@code resources.csv}) and the logs of the processes it started ({@code logs/}) into the
 * report folder; prints its progress. Everything
 * it starts is stopped by the {@link Lab}, by PID.
 *
 * <p>Usage: {@code OverlayRun key=value...} ({@link OverlaySettings#toArgs}).
 */
public final class OverlayRun {
    static final Duration POLL = Duration.ofSeconds(2);
    static final Duration CHANGE_LIMIT = Duration.ofSeconds(180);
    static final String CHECKS_FILE = "checks.tsv";
    /** The run's own bound, within the scenario's ten minutes: the JVM's start before it, the scenario's checks after. */
    static final Duration BOUND = Duration.ofSeconds(540);
    private static final Duration TEARDOWN = Duration.ofSeconds(60);
    private static final List<String> TARGETS = List.of(OverlayPeer.NETWORK_MAP, OverlayPeer.COST_MAP);
    private static final List<String> IDS = List.of("default-network-map", "routingcost-map");

    private final OverlaySettings s;
    private final Lab lab;
    private final PrintStream out = System.out;
    private final List<Check> checks = new ArrayList<>();
    private final long deadline = System.nanoTime() + BOUND.toNanos();

    private OverlayRun(OverlaySettings s, Lab lab) {
        this.s = s;
        this.lab = lab;
    }

    public static void main(String[] args) throws Exception {
        OverlaySettings s = OverlaySettings.parse(args);
        Files.createDirectories(s.reports());
        List<Check> checks;
        try (Lab lab = new Lab(s.lab(), System.out, null)) {
            try {
                checks = new OverlayRun(s, lab).run();
            } finally {
                keepLogs(lab.dir(), s.reports().resolve("logs"));
            }
        } catch (Exception | AssertionError e) {
            e.printStackTrace(System.out);
            checks = List.of(Check.of("overlay run", "completes", String.valueOf(e).replaceAll("\\s+", " "), false));
        }
        StringBuilder tsv = new StringBuilder();
        for (Check c : checks) {
            tsv.append(String.join("\t", c.name(), c.expected(), c.measured(), c.verdict().name())).append('\n');
        }
        Files.writeString(s.reports().resolve(CHECKS_FILE), tsv, StandardCharsets.UTF_8);
        System.exit(0);
    }

    /**
     * Copies the logs of the processes the run started (each peer JVM's, the RProxy's, the
     * proxies') out of the lab, which is deleted when it closes, so that a peer that fell back
     * can be looked into after the run.
     */
    private static void keepLogs(Path labDir, Path into) {
        try (var logs = Files.walk(labDir, 2)) {
            Files.createDirectories(into);
            for (Path log : logs.filter(f -> f.getFileName().toString().endsWith(".log") && Files.isRegularFile(f)).toList()) {
                Files.copy(log, into.resolve(labDir.relativize(log).toString().replace('/', '-')),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            System.out.println("overlay: the process logs were not kept: " + e);
        }
    }

    private List<Check> run() throws Exception {
        String loadBefore = MachineLoad.average();
        Path maps = lab.topology(TopologySpec.of(20, 5, s.seed()));
        List<String> ips = s.peerIps();
        OverlayCast cast = OverlayCast.start(lab, maps, s.maxAge(), ips);
        PeerLines lines = new PeerLines(ips, OverlayFigures.split(s.viewers(), s.peers()), "127.0.0.1:" + OverlayCast.PROXY_PORT);
        List<PeerGroupProcess> groups = startPeers(cast, ips, lines);
        long runStart = System.nanoTime();
        Map<Long, Integer> peerPids = new HashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            int from = g * OverlaySettings.PEERS_PER_PROCESS;
            peerPids.put(groups.get(g).pid(), Math.min(ips.size(), from + OverlaySettings.PEERS_PER_PROCESS) - from);
        }
        try (OverlayResources resources = new OverlayResources(peerPids, s.reports().resolve("resources.csv"))) {
            return run(cast, maps, ips, lines, groups, resources, runStart, loadBefore);
        }
    }

    private List<Check> run(OverlayCast cast, Path maps, List<String> ips, PeerLines lines, List<PeerGroupProcess> groups,
                            OverlayResources resources, long runStart, String loadBefore) throws Exception {
        long t0 = System.nanoTime();
        boolean allJoined = lines.await("join", bounded(Duration.ofSeconds(60 + ips.size() / 2)));
        checks.add(Check.of("peers joined (DHT joined, directory from the origin)", s.peers() + " of " + s.peers(),
                lines.count("ready") + " in " + secondsSince(t0) + " (" + lines.count("failed") + " failed, "
                        + (s.peers() - lines.count("ready") - lines.count("failed")) + " not done; "
                        + lines.bootstrapRetries() + " bootstrap tries repeated)",
                allJoined && lines.count("ready") == s.peers()));
        if (lines.count("ready") == 0) {
            return checks;
        }

        t0 = System.nanoTime();
        cast.startRProxy();
        boolean published = cast.awaitPublished(TARGETS, IDS, bounded(Duration.ofSeconds(120)));
        checks.add(Check.of("RProxy published both maps (a probe peer is offered them)", "within 120 s",
                published ? secondsSince(t0) : "not within 120 s", published));
        if (!published) {
            return checks;
        }
        List<Integer> held = cast.pointerNodes(IDS);
        checks.add(Check.of("RProxy's /metrics: DHT nodes holding each pointer (rproxy_overlay_pointer_nodes)",
                ">= 4 of the 8 closest each", held.toString(), held.stream().allMatch(n -> n >= 4)));
        SignedBundle net1 = cast.bundle(OverlayPeer.NETWORK_MAP);
        SignedBundle cost1 = cast.bundle(OverlayPeer.COST_MAP);
        long n1 = OverlayCast.created(net1);
        long v1 = OverlayCast.created(cost1);
        // the tamperer claims a newer cost map; the stale publisher points at the current maps and
        // never moves. Only one tampered torrent: bt 1.10 does not fetch a second torrent from a
        // seeder right after one it dropped, so a tampered network map made the cost map time out.
        List<CompletableFuture<Integer>> poison = List.of(cast.tamperer().publish(OverlayCast.tampered(cost1, v1 + 1), v1 + 1),
                cast.stale().publish(net1, n1), cast.stale().publish(cost1, v1));
        settled(CompletableFuture.allOf(poison.toArray(CompletableFuture[]::new)), bounded(Duration.ofSeconds(90)));
        out.printf("overlay: the RProxy published; a tampered cost map published under seq %d, the stale pointers at %d"
                + " and %d (DHT nodes that took each: %s)%n", v1 + 1, n1, v1,
                poison.stream().map(f -> Integer.toString(f.getNow(-1))).toList());

        Counts setup = Counts.of(cast);
        resources.phase("phase 1");
        t0 = System.nanoTime();
        groups.forEach(g -> g.send("fetch " + s.window().toMillis()));
        boolean phase1 = lines.await("phase1", bounded(s.window().plusSeconds(180)));
        String phase1Time = secondsSince(t0);
        out.println("overlay: phase 1 " + (phase1 ? "ended" : "did not end") + " after " + phase1Time);
        Counts first = Counts.of(cast).minus(setup);

        resources.phase("phase 2");
        Churner churner = new Churner(maps, 0.05, 0, s.seed());
        String before = OverlayPeer.sha(cost1.body());
        long written = System.currentTimeMillis();
        churner.round();
        boolean changedAtOrigin = Poll.until(() -> !before.equals(sha(cast, OverlayPeer.COST_MAP)), Duration.ofMillis(100),
                Duration.ofSeconds(30));
        SignedBundle cost2 = cast.bundle(OverlayPeer.COST_MAP);
        String want = OverlayPeer.sha(cost2.body());
        out.printf("overlay: the cost map changed (%s -> %s) %d ms after the write%n", before, want,
                System.currentTimeMillis() - written);
        groups.forEach(g -> g.send("change " + written + " " + want + " " + POLL.toMillis() + " " + CHANGE_LIMIT.toMillis()));
        CompletableFuture<String> republished = probeChange(cast, want, written);
        boolean phase2 = lines.await("phase2", bounded(CHANGE_LIMIT.plusSeconds(60)));
        // the probe joins the DHT afresh, so it may see the change after the peers did
        settled(republished, bounded(Duration.ofSeconds(30)));
        String republishedLine = republished.getNow("not within 30 s of the end of phase 2");
        Counts second = Counts.of(cast).minus(setup).minus(first);
        groups.forEach(g -> g.send("holds"));
        lines.await("holds", bounded(Duration.ofSeconds(30)));
        double seconds = (System.nanoTime() - runStart) / 1e9;
        List<Check> costs = resources.checks(s.peers(), seconds);
        groups.forEach(g -> g.send("stop"));
        groups.forEach(PeerGroupProcess::close);

        List<PeerSample> samples = lines.samples(OverlayPeer.sha(net1.body()), want);
        writeCsv(samples);
        Files.write(s.reports().resolve("peer-lines.log"), lines.all(), StandardCharsets.UTF_8);
        lines.oddities().forEach(l -> out.println("overlay: peer said: " + l));
        long bad = lines.badAccepted(Map.of(OverlayPeer.NETWORK_MAP, List.of(OverlayPeer.sha(net1.body())),
                OverlayPeer.COST_MAP, List.of(before, want)));
        checks.add(Check.info("machine", "load average " + loadBefore + " before, " + MachineLoad.average() + " after; "
                + s.peers() + " peers in " + groups.size() + " processes; " + ScenarioContext.fmt(s.viewers())
                + " viewers; budget " + s.budget().toSeconds() + " s; seeding " + s.seeding()));
        checks.add(Check.info("[2] RProxy published the new cost map (a probe peer is offered it)",
                republishedLine));
        checks.addAll(OverlayVerdict.checks(s, samples, lines, bad, phase1, phase1Time, changedAtOrigin, phase2,
                List.of(setup, first, second)));
        checks.addAll(costs);
        checks.add(Check.info("logs of the processes the run started (peers, RProxy, fallback proxy)",
                OverlayLogs.read(lab.dir()).describe(seconds / 60, 3)));
        return checks;
    }

    /**
     * Tells, in the background, how long after the write a probe peer is first offered the
     * changed cost map (digest {@code want}) through the overlay: how promptly the RProxy
     * published it, apart from how fast the peers found and fetched it.
     */
    private CompletableFuture<String> probeChange(OverlayCast cast, String want, long written) {
        Duration limit = bounded(CHANGE_LIMIT);
        return CompletableFuture.supplyAsync(() -> {
            try {
                boolean seen = cast.awaitOffered(List.of(OverlayPeer.COST_MAP), List.of(IDS.get(1)),
                        b -> OverlayPeer.sha(b.body()).equals(want), limit);
                String when = seen ? String.format(java.util.Locale.ROOT, "%.1f s after the write",
                        (System.currentTimeMillis() - written) / 1e3) : "not within " + limit.toSeconds() + " s";
                out.println("overlay: a probe peer was offered the new cost map: " + when);
                return when;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            } catch (RuntimeException e) {
                return "probe failed: " + e;
            }
        });
    }

    private List<PeerGroupProcess> startPeers(OverlayCast cast, List<String> ips, PeerLines lines) throws Exception {
        List<PeerGroupProcess> groups = new ArrayList<>();
        for (int from = 0, g = 0; from < ips.size(); from += OverlaySettings.PEERS_PER_PROCESS, g++) {
            int to = Math.min(ips.size(), from + OverlaySettings.PEERS_PER_PROCESS);
            PeerGroupProcess p = PeerGroupProcess.start("peers-" + g, List.of(cast.originRelay().baseUri(), cast.keyId(),
                    lab.dir().resolve("peers").toString(), Long.toString(s.budget().toMillis()), Boolean.toString(s.seeding()),
                    String.join(",", OverlayCast.publisherNodes()), String.join(",", ips), Integer.toString(from),
                    Integer.toString(to)), lab.dir(), lines::accept);
            lab.stopAtEnd(p);
            groups.add(p);
            out.printf("overlay: peers %d to %d in %s%n", from, to - 1, p);
        }
        return groups;
    }

    /**
     * {@code want}, or less when the run would then end past {@link #BOUND} (leaving
     * {@link #TEARDOWN} to stop everything and write the checks).
     */
    private Duration bounded(Duration want) {
        long left = deadline - System.nanoTime() - TEARDOWN.toNanos();
        return Duration.ofNanos(Math.max(0, Math.min(want.toNanos(), left)));
    }

    /** Waits for {@code f} at most {@code limit}; its outcome is read with {@code getNow}. */
    private static void settled(CompletableFuture<?> f, Duration limit) throws InterruptedException {
        try {
            f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // told by getNow: -1, not yet
        }
    }

    private static String sha(OverlayCast cast, String target) {
        try {
            return OverlayPeer.sha(cast.bundle(target).body());
        } catch (IOException e) {
            return "-";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "-";
        }
    }

    private void writeCsv(List<PeerSample> samples) throws IOException {
        StringBuilder b = new StringBuilder(PeerSample.CSV_HEADER).append('\n');
        samples.forEach(p -> b.append(p.csv()).append('\n'));
        Files.writeString(s.reports().resolve("peers.csv"), b, StandardCharsets.UTF_8);
    }

    private static String secondsSince(long t0) {
        return String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
    }

    /** Requests the origin and the fallback proxy answered, counted at their relays. */
    record Counts(long origin, long proxy) {
        static Counts of(OverlayCast cast) {
            return new Counts(cast.originRelay().total(), cast.proxyRelay().total());
        }

        Counts minus(Counts o) {
            return new Counts(origin - o.origin, proxy - o.proxy);
        }
    }
}

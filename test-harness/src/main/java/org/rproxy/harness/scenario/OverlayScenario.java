package org.rproxy.harness.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * PUSH into a P2P overlay at swarm scale: an origin, one RProxy publishing into BitTorrent and
 * the mainline DHT, a pull proxy to fall back to, two poisoning publishers, and 200 overlay
 * peers (real mldht nodes and bt clients, {@code --peers}) with simulated viewers behind them;
 * then a map change. mldht refuses loopback and private addresses, so the run
 * ({@link OverlayRun}) goes into a fresh network namespace ({@code unshare -n}) with 100.64.0.0/10
 * addresses on its own {@code lo}: nothing leaves it. Without the right to make one the scenario
 * fails, saying why. This side starts the run, relays its output, bounds it to {@link #LIMIT},
 * records every process under it (to stop any left by PID), and reads back its checks.
 */
final class OverlayScenario implements Scenario {
    static final Duration LIMIT = Duration.ofMinutes(10);
    static final int DEFAULT_PEERS = 200;
    static final long DEFAULT_VIEWERS = 100_000;
    static final Duration DEFAULT_BUDGET = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "overlay";
    }

    @Override
    public String summary() {
        return "an RProxy publishing into BitTorrent + DHT, 200 overlay peers (--peers) with 100,000 viewers, a map change,"
                + " poisoning publishers; share served from the overlay, time to 50/90/99 % of peers";
    }

    @Override
    public Set<ScenarioOption> options() {
        return EnumSet.of(ScenarioOption.VIEWERS, ScenarioOption.WINDOW, ScenarioOption.MAX_AGE, ScenarioOption.PEERS,
                ScenarioOption.SEEDING);
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        int peers = ctx.options.peers() != null ? ctx.options.peers() : DEFAULT_PEERS;
        OverlaySettings s = new OverlaySettings(ctx.lab.dir().resolve("overlay"), ctx.reports.toAbsolutePath(), peers,
                ctx.viewers(DEFAULT_VIEWERS), ctx.window(Duration.ofSeconds(120)), ctx.options.seeding(), ctx.options.seed(),
                ctx.maxAge(Duration.ofSeconds(60)), DEFAULT_BUDGET);
        String why = NetworkNamespace.unavailable();
        if (why != null) {
            return List.of(Check.notRun("network namespace for the overlay", "cannot create one here (" + why
                    + "); mldht refuses loopback and private addresses, so the peers need one"));
        }
        Files.createDirectories(s.lab());
        String script = "set -e; ip link set lo up; for a in $ADDRS; do ip addr add $a/32 dev lo; done; exec \"$JAVA\""
                + " -Xmx1g -cp \"$CP\" " + OverlayRun.class.getName() + " \"$@\"";
        List<String> cmd = new ArrayList<>(List.of("unshare", "-n", "sh", "-c", script, "overlay-run"));
        cmd.addAll(s.toArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ADDRS", String.join(" ", s.addresses()));
        pb.environment().put("JAVA", ProxyProcess.javaExecutable());
        pb.environment().put("CP", System.getProperty("java.class.path"));
        long t0 = System.nanoTime();
        Process run = pb.start();
        Map<Long, ProcessHandle> seen = new ConcurrentHashMap<>();
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        watch.scheduleWithFixedDelay(() -> run.descendants().forEach(h -> seen.put(h.pid(), h)), 0, 1, TimeUnit.SECONDS);
        Thread relay = new Thread(() -> relay(run, ctx.out, ctx.reports.resolve("overlay-run.log")), "overlay-run-output");
        relay.setDaemon(true);
        relay.start();
        boolean ended;
        try {
            ended = run.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            watch.shutdownNow();
            run.descendants().forEach(h -> seen.put(h.pid(), h));
            if (run.isAlive()) {
                seen.values().forEach(ProcessHandle::destroyForcibly);
                run.destroyForcibly();
            }
        }
        run.waitFor(10, TimeUnit.SECONDS);
        relay.join(TimeUnit.SECONDS.toMillis(10));
        long took = System.nanoTime() - t0;
        Set<Long> left = ConcurrentHashMap.newKeySet();
        for (ProcessHandle h : seen.values()) {
            if (h.isAlive()) {
                h.destroyForcibly();
                left.add(h.pid());
            }
        }
        List<Check> checks = new ArrayList<>(readChecks(ctx.reports.resolve(OverlayRun.CHECKS_FILE), ended, run));
        checks.add(Check.of("whole run", "< " + LIMIT.toMinutes() + " min", String.format(java.util.Locale.ROOT, "%.0f s",
                took / 1e9), ended && took < LIMIT.toNanos()));
        checks.add(Check.of("processes under the run still alive at its end (stopped by PID)", "0 of " + seen.size(),
                left.size() + (left.isEmpty() ? "" : " " + left), left.isEmpty()));
        OverlayReport.write(ctx.reports, s, checks);
        return checks;
    }

    private static List<Check> readChecks(Path file, boolean ended, Process run) throws IOException {
        if (!Files.exists(file)) {
            return List.of(Check.of("overlay run", "writes its checks", ended ? "exit " + run.exitValue() + ", no "
                    + file.getFileName() + "; see overlay-run.log" : "killed at the limit", false));
        }
        List<Check> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            if (f.length == 4) {
                out.add(new Check(f[0], f[1], f[2], Check.Verdict.valueOf(f[3])));
            }
        }
        return out;
    }

    private static void relay(Process run, PrintStream out, Path log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
             var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                w.write(line);
                w.newLine();
                if (!line.startsWith("\tat ")) {
                    out.println(line);
                }
            }
        } catch (IOException e) {
            out.println("overlay: lost the run's output: " + e);
        }
    }
}

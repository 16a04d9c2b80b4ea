package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.harness.topology.TopologySpec;

/**
 * A flood of idle connections at a pull proxy (its own process, default limits, admin listener
 * on): 20,000 connections within 10 s from {@link #CLIENT_PROCESSES} child processes, first ones
 * that send nothing, held past the first-byte deadline, then ones that send the start of a
 * request line and stop. Throughout, every 100 ms, {@code /readyz} on the admin port must answer
 * within 100 ms, a new client's {@code GET /directory} must get a 200 or a 503 within 1 s, and the
 * proxy's open descriptors must stay under its open-files limit; afterwards they must fall back
 * to where they were. Twice the connection limit is sent, so half is refused.
 */
final class IdleFlood implements Scenario {
    static final int CONNECTIONS = 20_000;
    static final int CLIENT_PROCESSES = 2;
    static final Duration RAMP = Duration.ofSeconds(10);
    static final int SOURCES_PER_PROCESS = 4;
    static final long READYZ_LIMIT_MICROS = 100_000;
    /** Descriptors a settled proxy may hold above its count before the flood (timers, a late probe). */
    static final long SETTLED_SLACK = 64;

    @Override
    public String name() {
        return "idle-flood";
    }

    @Override
    public String summary() {
        return "20,000 idle connections (silent, then a partial request line) at a pull proxy; readyz <= 100 ms,"
                + " new clients 200 or 503 within 1 s, descriptors under the limit";
    }

    @Override
    public Set<ScenarioOption> options() {
        return EnumSet.of(ScenarioOption.MAX_AGE, ScenarioOption.RPROXY_JAR);
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        Path maps = ctx.lab.topology(TopologySpec.of(20, 5, ctx.options.seed()));
        ProxyProcess origin = ctx.lab.startOriginProcess(maps, ctx.maxAge(Duration.ofSeconds(60)));
        ProxyProcess proxy = ctx.lab.startProxy("edge", origin.baseUri());
        long limit = NodeSampler.openFilesLimit(proxy.pid());
        List<Check> checks = ctx.checks();
        checks.add(Check.info("proxy limits", "open files " + fmt(limit) + ", connections "
                + fmt(FrontEndConfig.DEFAULT_MAX_CONNECTIONS) + ", first byte "
                + FrontEndConfig.DEFAULT_FIRST_BYTE_TIMEOUT.toSeconds() + " s"));
        // Silent ones are held until well after the first-byte deadline, so its closes are seen.
        checks.addAll(phase(ctx, proxy, false, FrontEndConfig.DEFAULT_FIRST_BYTE_TIMEOUT.plusSeconds(6), limit));
        checks.addAll(phase(ctx, proxy, true, Duration.ofSeconds(5), limit));
        return checks;
    }

    private List<Check> phase(ScenarioContext ctx, ProxyProcess proxy, boolean partial, Duration hold, long limit)
            throws Exception {
        String mode = partial ? "partial" : "silent";
        String t = "[" + mode + "] ";
        long baseline = NodeSampler.openDescriptors(proxy.pid());
        ctx.out.printf("%s%s connections from %d processes over %ds, held %ds; proxy holds %s descriptors%n", t,
                fmt(CONNECTIONS), CLIENT_PROCESSES, RAMP.toSeconds(), hold.toSeconds(), fmt(baseline));
        long[] sums = new long[Counts.values().length];
        MachineLoad load = MachineLoad.from(proxy.pid());
        NodeSampler sampler = new NodeSampler(proxy.pid(), proxy.port(), proxy.adminPort());
        long settled;
        try {
            List<IdleClientProcess> clients = new ArrayList<>();
            for (int i = 0; i < CLIENT_PROCESSES; i++) {
                IdleClientProcess c = IdleClientProcess.start(mode + "-clients-" + i, "127.0.0.1", proxy.port(),
                        CONNECTIONS / CLIENT_PROCESSES, RAMP, hold, partial, sources(i), ctx.lab.dir());
                ctx.lab.stopAtEnd(c);
                clients.add(c);
            }
            for (IdleClientProcess c : clients) {
                Map<String, Long> done = c.awaitDone(RAMP.plus(hold).plusSeconds(30));
                ctx.out.printf("%s%s: %s%n", t, c, done.isEmpty() ? "did not finish" : done);
                for (Counts k : Counts.values()) {
                    long v = done.getOrDefault(k.key, k == Counts.SLOWEST_503 ? 0L : -1L);
                    sums[k.ordinal()] = k == Counts.SLOWEST_503 ? Math.max(sums[k.ordinal()], v) : sums[k.ordinal()] + v;
                }
                c.close();
            }
            settled = NodeSampler.awaitDescriptorsAtMost(proxy.pid(), baseline + SETTLED_SLACK,
                    Duration.ofSeconds(10));
        } finally {
            sampler.close();
        }
        sampler.writeCsv(ctx.reports.resolve(mode + "-samples.csv"));
        String machine = load.sinceStart();
        double p50 = sampler.readyz.getValueAtPercentile(50) / 1000.0;
        double p99 = sampler.readyz.getValueAtPercentile(99) / 1000.0;
        double max = sampler.readyz.getMaxValue() / 1000.0;
        long slowest503 = sums[Counts.SLOWEST_503.ordinal()];
        return List.of(
                Check.info(t + "machine", machine),
                Check.info(t + "flood connections", String.format(Locale.ROOT,
                        "%s connected, %s failed to connect; %s refused with 503, %s closed by the proxy, %s reset",
                        fmt(sums[Counts.CONNECTED.ordinal()]), fmt(sums[Counts.FAILED.ordinal()]),
                        fmt(sums[Counts.REFUSED.ordinal()]), fmt(sums[Counts.CLOSED.ordinal()]),
                        fmt(sums[Counts.RESET.ordinal()]))),
                Check.of(t + "flood connections", fmt(CONNECTIONS) + " connected",
                        fmt(sums[Counts.CONNECTED.ordinal()]), sums[Counts.CONNECTED.ordinal()] == CONNECTIONS),
                Check.of(t + "slowest 503 to a flood connection", "<= 1000 ms after connect", slowest503 + " ms",
                        sums[Counts.REFUSED.ordinal()] > 0 && slowest503 <= NodeSampler.PROMPT_MILLIS),
                partial
                        ? Check.info(t + "still open at the end of the hold", fmt(sums[Counts.OPEN.ordinal()])
                                + " (a started request waits for the 60 s idle timeout)")
                        : Check.of(t + "still open at the end of the hold", "0 (first-byte deadline)",
                                fmt(sums[Counts.OPEN.ordinal()]), sums[Counts.OPEN.ordinal()] == 0),
                Check.of(t + "proxy's open descriptors, max", "< " + fmt(limit) + " (its limit)",
                        fmt(sampler.maxFds()) + " (" + fmt(baseline) + " before)",
                        limit > 0 && sampler.maxFds() > 0 && sampler.maxFds() < limit),
                Check.of(t + "proxy's descriptors after", "<= " + fmt(baseline + SETTLED_SLACK) + " within 10 s",
                        fmt(settled), settled >= 0 && settled <= baseline + SETTLED_SLACK),
                Check.of(t + "/readyz p50 / p99 / max", "max <= 100 ms, all 200", String.format(Locale.ROOT,
                        "%.1f / %.1f / %.1f ms (%d probes, %d not 200)", p50, p99, max,
                        sampler.readyz.getTotalCount(), sampler.readyzNot200()),
                        sampler.readyz.getMaxValue() <= READYZ_LIMIT_MICROS && sampler.readyzNot200() == 0
                                && sampler.readyz.getTotalCount() > 0),
                Check.of(t + "new clients' GET /directory", "200 or 503 within 1 s", sampler.directoryOutcomes()
                        + String.format(Locale.ROOT, "; max %.0f ms", sampler.directory.getMaxValue() / 1000.0),
                        sampler.everyNewClientAnswered()));
    }

    /**
     * Loopback source addresses for client process {@code i}: {@link #SOURCES_PER_PROCESS} of its
     * own, so that no address needs more than a few thousand ephemeral ports.
     */
    static List<String> sources(int i) {
        List<String> a = new ArrayList<>();
        for (int j = 1; j <= SOURCES_PER_PROCESS; j++) {
            a.add("127.0." + (10 + i) + "." + j);
        }
        return a;
    }

    /** The counts of an {@link IdleClients} {@code done} line, summed over the processes (the slowest: the max). */
    private enum Counts {
        OPEN("open"), CONNECTED("connected"), FAILED("failed"), REFUSED("answered503"), OTHER("answeredOther"),
        CLOSED("closedByServer"), RESET("reset"), SLOWEST_503("slowest503Ms");

        final String key;

        Counts(String key) {
            this.key = key;
        }
    }
}

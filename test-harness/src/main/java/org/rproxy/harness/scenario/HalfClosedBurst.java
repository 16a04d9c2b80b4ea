package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.rproxy.harness.topology.TopologySpec;

/**
 * 30,000 clients that leave mid-request, in a burst at a pull proxy (its own process): a
 * truncated request line, truncated headers or a truncated body, or a whole request, and then a
 * half-close, a close or a reset ({@link AbortedRequests}). Every such departure is the client's
 * business: the proxy's log must gain no stack trace and less than 100 KB, its descriptors must
 * fall back to where they were (no connection leaked), a whole request before a half-close must
 * still be answered, and the proxy must serve {@code /directory} afterwards.
 */
final class HalfClosedBurst implements Scenario {
    static final int CONNECTIONS = 30_000;
    static final int IN_FLIGHT = 1_000;
    static final Duration LIMIT = Duration.ofSeconds(90);
    static final long LOG_LIMIT_BYTES = 100 * 1024;

    @Override
    public String name() {
        return "half-closed-burst";
    }

    @Override
    public String summary() {
        return "30,000 connections that half-close, close or reset mid-request at a pull proxy; no stack trace and"
                + " < 100 KB of log";
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
        long fdsBefore = NodeSampler.openDescriptors(proxy.pid());
        long logBefore = Files.size(proxy.log());
        ctx.out.printf("burst: %s connections, at most %s at once, to %s; proxy log %s bytes, %s descriptors%n",
                fmt(CONNECTIONS), fmt(IN_FLIGHT), proxy.baseUri(), fmt(logBefore), fmt(fdsBefore));
        MachineLoad load = MachineLoad.from(proxy.pid());
        long start = System.nanoTime();
        Map<AbortedRequests.Ending, AbortedRequests.Tally> tallies = new AbortedRequests(
                new InetSocketAddress("127.0.0.1", proxy.port())).run(CONNECTIONS, IN_FLIGHT, LIMIT);
        long burstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String machine = load.sinceStart();
        long fdsAfter = NodeSampler.awaitDescriptorsAtMost(proxy.pid(), fdsBefore + IdleFlood.SETTLED_SLACK,
                Duration.ofSeconds(15));
        LoopbackGet.Answer after = LoopbackGet.get(proxy.port(), "/directory", 5_000);
        String added = addedText(proxy.log(), logBefore);
        Files.writeString(ctx.reports.resolve("proxy-log-added.txt"), added);
        long stackLines = added.lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")).count();
        long exceptionLines = added.lines().filter(l -> l.contains("Exception")).count();
        long addedBytes = added.getBytes(StandardCharsets.UTF_8).length;

        List<Check> checks = new ArrayList<>();
        checks.add(Check.info("machine", machine));
        long connected = 0;
        long failed = 0;
        for (var e : tallies.entrySet()) {
            ctx.out.printf("  %-20s %s%n", e.getKey(), e.getValue());
            checks.add(Check.info(e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '), e.getValue().toString()));
            connected += e.getValue().connected;
            failed += e.getValue().failedToConnect;
        }
        AbortedRequests.Tally whole = tallies.get(AbortedRequests.Ending.WHOLE_HALF_CLOSED);
        long notClosed = tallies.values().stream().mapToLong(t -> t.notClosedInTime).sum();
        checks.add(Check.of("connections made", fmt(CONNECTIONS) + " within " + LIMIT.toSeconds() + " s",
                fmt(connected) + " in " + fmt(burstMillis) + " ms (" + fmt(failed) + " failed)",
                connected == CONNECTIONS && failed == 0));
        checks.add(Check.of("whole request, then half-close", "every one answered 200", fmt(whole.answered)
                + " of " + fmt(whole.connected) + " (first " + whole.firstStatus + ")",
                whole.connected > 0 && whole.answered == whole.connected && whole.firstStatus == 200));
        checks.add(Check.of("half-closed ones closed by the proxy", "all within " + AbortedRequests.DRAIN.toSeconds() + " s",
                fmt(notClosed) + " not closed in time", notClosed == 0));
        checks.add(Check.of("stack traces added to the proxy's log", "0", stackLines + " stack lines, " + exceptionLines
                + " lines naming an exception", stackLines == 0 && exceptionLines == 0));
        checks.add(Check.of("proxy's log growth", "< 100 KB", String.format(Locale.ROOT, "%s bytes, %d lines",
                fmt(addedBytes), added.lines().count()), addedBytes < LOG_LIMIT_BYTES));
        checks.add(Check.of("proxy's descriptors after", "<= " + fmt(fdsBefore + IdleFlood.SETTLED_SLACK) + " within 15 s",
                fmt(fdsAfter) + " (" + fmt(fdsBefore) + " before)", fdsAfter >= 0
                        && fdsAfter <= fdsBefore + IdleFlood.SETTLED_SLACK));
        checks.add(Check.of("GET /directory afterwards", "200", Integer.toString(after.status()), after.status() == 200));
        return checks;
    }

    /** What the log gained past {@code from} (a log that shrank was rotated: all of it). */
    private static String addedText(Path log, long from) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = f.length() >= from ? from : 0;
            byte[] b = new byte[(int) Math.min(f.length() - start, 16L * 1024 * 1024)];
            f.seek(start);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}

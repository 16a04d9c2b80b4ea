package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.HdrHistogram.Histogram;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.harness.churn.Churner;
import org.rproxy.harness.stream.Audience;
import org.rproxy.harness.stream.Change;
import org.rproxy.harness.stream.StreamParams;
import org.rproxy.harness.stream.StreamingViewers;
import org.rproxy.harness.topology.TopologySpec;

/**
 * Twenty thousand people watching the maps change: origin, one push proxy (a child process; a
 * pull proxy with {@code --via pull}, whose streams follow its refresh, so the origin's
 * {@code max-age} is 10 s there), and that many subscribers of the proxy's update stream
 * (RFC 8895), each an HTTP/2 stream, a few
 * hundred to a connection, each subscribed to the network map and the routing cost map and
 * applying and verifying every update it receives. Once all have attached, the cost map changes
 * {@value #ROUNDS} times, each change once the previous one reached everybody; for each it
 * measures the time from the file being written to each subscriber having applied and verified
 * it. Passes when every subscriber attached and received every change, and none failed
 * verification or lost its stream. Reports the proxy's memory per subscriber: resident memory and
 * the heap after a full collection, before and after they attached, divided by their number.
 */
final class StreamingViewersScenario implements Scenario {
    static final int ROUNDS = 5;
    static final int DEFAULT_VIEWERS = 20_000;
    private static final Duration ATTACH_LIMIT = Duration.ofMinutes(5);
    private static final Duration CHANGE_LIMIT = Duration.ofSeconds(60);
    private static final Map<String, String> SUBSCRIPTION = Map.of("nm", "default-network-map", "rc", "routingcost-map");

    @Override
    public String name() {
        return "streaming-viewers";
    }

    @Override
    public String summary() {
        return "20,000 update-stream subscribers on one push proxy over HTTP/2; time for a change to reach all, memory per subscriber";
    }

    @Override
    public Set<ScenarioOption> options() {
        return EnumSet.of(ScenarioOption.VIEWERS, ScenarioOption.MAX_AGE, ScenarioOption.CONNECTIONS,
                ScenarioOption.IO_THREADS, ScenarioOption.VIA, ScenarioOption.RPROXY_JAR);
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        String via = ctx.options.via() == null ? "push" : ctx.options.via(); // push or pull (ScenarioCommand.invalid)
        if (!ctx.lab.pushAvailable()) {
            return List.of(Check.notRun("streaming-viewers", "no update streams in this build"));
        }
        int viewers = Math.toIntExact(ctx.viewers(DEFAULT_VIEWERS));
        int connections = Math.min(ctx.options.connections(), viewers);
        if ((viewers + connections - 1) / connections > FrontEndConfig.DEFAULT_MAX_STREAMS) {
            return List.of(Check.notRun("streaming-viewers", viewers + " subscribers over " + connections
                    + " connections is more than the proxy's " + FrontEndConfig.DEFAULT_MAX_STREAMS + " streams each"));
        }
        Path maps = ctx.lab.topology(TopologySpec.of(12, 2, ctx.options.seed()));
        boolean pull = via.equals("pull");
        ProxyProcess origin = ctx.lab.startOriginProcess(maps, ctx.maxAge(Duration.ofSeconds(pull ? 10 : 60)));
        List<String> room = List.of("--max-subscribers", Integer.toString(viewers + 1_000));
        ProxyProcess proxy = pull ? ctx.lab.startProxy("pull-1", origin.baseUri(), room)
                : ctx.lab.startPushProxy("push-1", origin.baseUri(), room);
        ctx.out.printf("streaming-viewers: subscribers on the %s proxy %s%n", via, proxy.baseUri());
        Map<String, String> paths = StreamParams.paths(proxy.baseUri(), SUBSCRIPTION);
        long rssBefore = proxy.residentKib();
        long heapBefore = ProcessMemory.heapAfterGcKib(proxy.pid());

        Audience audience = Audience.of(new ResponseVerifier(List.of(VerificationKey.readPem(ctx.lab.pub())),
                Clock.systemUTC()), paths, "rc", viewers);
        URI base = URI.create(proxy.baseUri());
        List<Check> checks = ctx.checks();
        Histogram all = new Histogram(CHANGE_LIMIT.toNanos() / 1_000, 3);
        int reachedEveryone = 0;
        long applied = 0;
        try (StreamingViewers crowd = new StreamingViewers(new InetSocketAddress(base.getHost(), base.getPort()),
                connections, Math.max(2, ctx.options.ioThreads()), audience, StreamParams.body(SUBSCRIPTION))) {
            long start = System.nanoTime();
            crowd.subscribe(viewers, ATTACH_LIMIT);
            int attached = audience.awaitAttached(ATTACH_LIMIT.minusNanos(System.nanoTime() - start));
            double attachSeconds = (System.nanoTime() - start) / 1e9;
            ctx.out.printf(Locale.ROOT, "streaming-viewers: %,d of %,d subscribers attached in %.1f s over %d connections%n",
                    attached, viewers, attachSeconds, connections);
            long rssAfter = proxy.residentKib();
            long heapAfter = ProcessMemory.heapAfterGcKib(proxy.pid());
            checks.add(Check.of("subscribers attached (both maps verified)", fmt(viewers), fmt(attached), attached == viewers));
            checks.add(Check.info("time for all to attach", String.format(Locale.ROOT, "%.1f s", attachSeconds)));
            checks.add(Check.info("proxy", via + " mode"));
            checks.add(memory("proxy resident memory per subscriber", rssBefore, rssAfter, viewers));
            checks.add(memory("proxy heap after full GC per subscriber", heapBefore, heapAfter, viewers));
            if (attached == viewers) {
                Churner churner = new Churner(maps, 0.2, 0, ctx.options.seed());
                String held = audience.attachedTag();
                long proxyCpu = ProcessCpu.millis(Long.toString(proxy.pid()));
                long ownCpu = ProcessCpu.millis("self");
                for (int round = 1; round <= ROUNDS; round++) {
                    Change change = audience.begin(held);
                    churner.round();
                    long written = System.nanoTime();
                    int reached = change.await(CHANGE_LIMIT);
                    Histogram one = new Histogram(CHANGE_LIMIT.toNanos() / 1_000, 3);
                    change.recordInto(written, one, all);
                    applied += reached;
                    reachedEveryone += reached == viewers ? 1 : 0;
                    ctx.out.printf(Locale.ROOT, "streaming-viewers: change %d reached %,d of %,d: first %.0f ms, p50 %.0f ms, "
                            + "p99 %.0f ms, max %.0f ms%n", round, reached, viewers, one.getMinValue() / 1000.0, ms(one, 50),
                            ms(one, 99), one.getMaxValue() / 1000.0);
                    if (change.tag() == null) {
                        break;
                    }
                    held = change.tag();
                }
                checks.add(cpu("proxy CPU per update delivered", proxyCpu, ProcessCpu.millis(Long.toString(proxy.pid())), applied));
                checks.add(cpu("subscribers' CPU per update applied and verified (this process)", ownCpu,
                        ProcessCpu.millis("self"), applied));
            }
        }
        checks.add(Check.of("changes that reached every subscriber", ROUNDS + " of " + ROUNDS, fmt(reachedEveryone),
                reachedEveryone == ROUNDS));
        checks.add(Check.of("updates applied and verified", fmt((long) ROUNDS * viewers), fmt(applied),
                applied == (long) ROUNDS * viewers));
        checks.add(Check.info("change to every subscriber, p50 / p99 / max", String.format(Locale.ROOT,
                "%.0f / %.0f / %.0f ms", ms(all, 50), ms(all, 99), all.getMaxValue() / 1000.0)));
        checks.add(Check.of("verification failures", "0", fmt(audience.failures()), audience.failures() == 0));
        checks.add(Check.of("streams lost or refused", "0", fmt(audience.lost() + audience.refused()),
                audience.lost() + audience.refused() == 0));
        checks.add(Check.info("signatures verified in full (each subscriber digests its own bytes)",
                fmt(audience.fullVerifications()) + " for " + fmt(audience.digestChecks()) + " updates"));
        audience.problems().forEach(p -> checks.add(Check.info("problem", p)));
        return checks;
    }

    private static Check memory(String name, long beforeKib, long afterKib, int viewers) {
        if (beforeKib < 0 || afterKib < 0) {
            return Check.info(name, "unknown");
        }
        return Check.info(name, String.format(Locale.ROOT, "%.1f KiB (%,d MiB -> %,d MiB)",
                (afterKib - beforeKib) / (double) viewers, beforeKib / 1024, afterKib / 1024));
    }

    private static Check cpu(String name, long beforeMillis, long afterMillis, long updates) {
        if (beforeMillis < 0 || afterMillis < 0 || updates == 0) {
            return Check.info(name, "unknown");
        }
        return Check.info(name, String.format(Locale.ROOT, "%.0f us (%.1f s of CPU in the churn rounds)",
                (afterMillis - beforeMillis) * 1000.0 / updates, (afterMillis - beforeMillis) / 1000.0));
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }
}

package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.OriginCounter;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * The origin goes down in the middle of a run and comes back: viewers arrive steadily through one
 * pull proxy while the relay in front of the origin refuses and cuts every connection for the
 * middle third. With a short max-age the proxy's copies go stale during the outage, but their
 * signatures stay valid, so it must keep serving them (ARCHITECTURE.md §4): no viewer should notice.
 * Viewers find PIDs and rank peers locally here, so every request is one the proxy can hold.
 */
final class Outage implements Scenario {
    static final long DEFAULT_VIEWERS = 6_000;
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "outage";
    }

    @Override
    public String summary() {
        return "the origin is down for the middle third of a steady run; the pull proxy keeps serving valid signed copies";
    }

    @Override
    public Set<ScenarioOption> options() {
        return ScenarioOption.CROWD;
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        if (!ctx.lab.pullAvailable()) {
            return List.of(Check.notRun("outage behind a pull proxy", "no pull proxy in this build"));
        }
        long viewers = ctx.viewers(DEFAULT_VIEWERS);
        Duration window = ctx.window(DEFAULT_WINDOW);
        Duration maxAge = ctx.maxAge(Duration.ofSeconds(2));
        Path maps = ctx.lab.topology(TopologySpec.of(100, 10, ctx.options.seed()));
        CountingRelay relay = ctx.lab.startOrigin(maps, Duration.ofHours(1), maxAge);
        String proxy = ctx.lab.startProxy("edge-1", relay.baseUri()).baseUri();
        long third = window.toMillis() / 3;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        // the relay's total when the run read it at its start, when the origin went down and came up, at the run's end
        long[] originAt = new long[4];
        // when (System.nanoTime) the run read the relay at its start, and the origin went down and came up
        AtomicLongArray nanos = new AtomicLongArray(3);
        OriginCounter runReadings = new OriginCounter() {
            private boolean started;

            @Override
            public String source() {
                return relay.source();
            }

            @Override
            public synchronized Map<String, Long> byPath() {
                Map<String, Long> m = relay.byPath();
                originAt[started ? 3 : 0] = m.values().stream().mapToLong(Long::longValue).sum();
                if (!started) {
                    nanos.set(0, System.nanoTime());
                }
                started = true;
                return m;
            }
        };
        try {
            timer.schedule(() -> {
                originAt[1] = relay.total();
                relay.mode(CountingRelay.Mode.DOWN);
                nanos.set(1, System.nanoTime());
                ctx.out.println("outage: origin DOWN");
            }, third, TimeUnit.MILLISECONDS);
            timer.schedule(() -> {
                originAt[2] = relay.total();
                relay.mode(CountingRelay.Mode.PASS);
                nanos.set(2, System.nanoTime());
                ctx.out.println("outage: origin UP");
            }, 2 * third, TimeUnit.MILLISECONDS);
            ScenarioContext.Crowd crowd = ctx.crowd(List.of(proxy), maps, viewers,
                    ArrivalSchedule.steady(viewers / (window.toMillis() / 1000.0)))
                    .with(new Population.Mix(0.25, 0.5, 0.0, 0.0, 8));
            RunReport r = ctx.run("outage", crowd, runReadings);
            List<Check> checks = new ArrayList<>();
            long duringOutage = errorsDuring(r.series(), r.setupSeconds(), nanos.get(0), nanos.get(1), nanos.get(2));
            checks.add(Check.of("errors while the origin was down", "0", fmt(duringOutage), duringOutage == 0));
            long signed = r.errors().entrySet().stream().filter(e -> signedStep(e.getKey())).mapToLong(e -> e.getValue()).sum();
            checks.add(Check.of("errors on signed documents (directory, capability, maps)", "0", fmt(signed), signed == 0));
            long computed = computedErrors(r.errors());
            checks.add(Check.of("errors on computed answers (rows, lookups)", "0", fmt(computed), computed == 0));
            checks.add(Check.of("viewers unfinished at the deadline", "0", fmt(r.viewers().unfinished()),
                    r.viewers().unfinished() == 0));
            checks.add(Check.of("verification failures", "0", fmt(r.verification().failures()), r.verification().failures() == 0));
            checks.add(Check.of("viewers joined", fmt(viewers), fmt(r.viewers().joined()), r.viewers().joined() == viewers));
            checks.add(Check.of("the outage happened: connections refused by the relay", "> 0", fmt(relay.refused()),
                    relay.refused() > 0));
            // from the run's start to its end, as the run's own "origin requests" count (proxy warm-up not included)
            checks.add(Check.info("origin requests during the run: before / during / after the outage",
                    String.format(Locale.ROOT, "%s / %s / %s", fmt(originAt[1] - originAt[0]), fmt(originAt[2] - originAt[1]),
                            fmt(originAt[3] - originAt[2]))));
            r.errors().forEach((kind, n) -> checks.add(Check.info("error: " + kind, fmt(n))));
            return checks;
        } finally {
            timer.shutdownNow();
            relay.mode(CountingRelay.Mode.PASS);
        }
    }

    /** Whether an error kind ("... @ dialect step") is about a signed document rather than a computed answer. */
    static boolean signedStep(String kind) {
        return kind.endsWith(" directory") || kind.endsWith(" capability") || kind.endsWith(" network-map")
                || kind.endsWith(" prop-pid");
    }

    /**
     * Errors on computed answers: those at a step ("... @ dialect step") that is not a signed
     * document's. Kinds of no step (viewers unfinished at the deadline) are not.
     */
    static long computedErrors(Map<String, Long> errors) {
        return errors.entrySet().stream().filter(e -> e.getKey().contains(" @ ") && !signedStep(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * Errors counted while the origin was down, in the run's own time. The outage is scheduled from
     * before the crowd's set-up (its connections, codec warm-up), and the run's clock starts after
     * it: read against the run's clock, the outage begins and ends that set-up earlier than a
     * third and two thirds of the window. {@code readNanos} is when the run read the relay, just
     * before its set-up began; {@code downNanos} and {@code upNanos} when the origin went down and
     * came back (0: not yet, counted to the end).
     */
    static long errorsDuring(List<RunReport.Sample> series, double setupSeconds, long readNanos, long downNanos, long upNanos) {
        if (downNanos == 0) {
            return 0;
        }
        double runStart = readNanos + setupSeconds * 1e9;
        double from = (downNanos - runStart) / 1e9;
        double to = upNanos == 0 ? Double.MAX_VALUE / 2 : (upNanos - runStart) / 1e9;
        return errorsBetween(series, from, to);
    }

    /** Errors counted between two run times, from the once-a-second series (cumulative counts). */
    static long errorsBetween(List<RunReport.Sample> series, double from, double to) {
        long atFrom = 0;
        long atTo = 0;
        for (RunReport.Sample s : series) {
            if (s.t() <= from) {
                atFrom = s.errors();
            }
            if (s.t() <= to + 1) {
                atTo = s.errors();
            }
        }
        return atTo - atFrom;
    }
}

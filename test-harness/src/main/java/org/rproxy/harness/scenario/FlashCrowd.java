package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * A live event starts: a million viewers join within a minute through one pull proxy in front of
 * the origin. Passes when every viewer joins, nothing fails verification, the whole run takes
 * less than five minutes, the origin serves at most a handful of requests per resource per
 * refresh period (its {@code max-age}) — the proxy collapses the crowd — and the origin sees a
 * bounded number of distinct resources, not one per viewer's query.
 */
final class FlashCrowd implements Scenario {
    static final long DEFAULT_VIEWERS = 1_000_000;
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
    static final Duration TIME_LIMIT = Duration.ofMinutes(5);
    /** "A handful": origin requests one resource may take in one refresh period. */
    static final int HANDFUL = 5;

    @Override
    public String name() {
        return "flash-crowd";
    }

    @Override
    public String summary() {
        return "1,000,000 viewers join within 60 s through one pull proxy; the origin must see a handful of requests per resource per refresh period";
    }

    @Override
    public Set<ScenarioOption> options() {
        return ScenarioOption.CROWD;
    }

    /**
     * The crowd's make-up: a quarter returning (conditional request), half on the XML dialect,
     * PIDs found in the verified map, and a quarter asking the server to rank their peers (the
     * rest rank them locally from their cost row). A ranking names the viewer's own address, so no
     * cache can share it; the proxy answers it from the maps it holds, and only the
     * first few, before it holds them, reach the origin.
     */
    static Population.Mix mix() {
        return new Population.Mix(0.25, 0.5, 0.0, 0.25, 8);
    }

    /** Distinct resources (documents, and queries forwarded before the maps were held) the origin may see. */
    static final int DISTINCT_AT_ORIGIN = 100;
    /**
     * The check's name says what it counts: a resource is a target and variant, and a query also
     * its body, where the summary's origin requests are listed by method and path alone.
     */
    static final String DISTINCT_LABEL = "distinct resources the origin served (gzip and identity, each query body, apart)";

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        long t0 = System.nanoTime();
        long viewers = ctx.viewers(DEFAULT_VIEWERS);
        Duration window = ctx.window(DEFAULT_WINDOW);
        Duration maxAge = ctx.maxAge(Duration.ofSeconds(10));
        Path maps = ctx.lab.topology(TopologySpec.of(200, 10, ctx.options.seed()));
        CountingRelay relay = ctx.lab.startOrigin(maps, Duration.ofHours(1), maxAge);
        List<Check> checks = ctx.checks();
        String target;
        boolean proxied = ctx.lab.pullAvailable();
        if (proxied) {
            target = ctx.lab.startProxy("edge-1", relay.baseUri()).baseUri();
        } else {
            target = relay.baseUri();
            checks.add(Check.notRun("through a pull proxy", "no pull proxy in this build: viewers went to the origin"));
        }
        relay.countPeriods(maxAge);
        ScenarioContext.Crowd crowd = ctx.crowd(List.of(target), maps, viewers, ArrivalSchedule.flash(window)).with(mix())
                .drain(TIME_LIMIT);
        RunReport r = ctx.run("flash-crowd", crowd, relay);
        double seconds = (System.nanoTime() - t0) / 1e9;
        checks.add(Check.of("viewers joined", fmt(viewers), fmt(r.viewers().joined()), r.viewers().joined() == viewers));
        checks.add(Check.of("errors", "0", fmt(r.errorCount()), r.errorCount() == 0));
        checks.add(Check.of("verification failures", "0", fmt(r.verification().failures()), r.verification().failures() == 0));
        checks.add(Check.of("signed responses checked", "> 0", fmt(r.verification().signedChecked()),
                r.verification().signedChecked() > 0));
        checks.add(Check.of("wall time (setup + run)", "< " + TIME_LIMIT.toSeconds() + " s",
                String.format(Locale.ROOT, "%.0f s", seconds), seconds < TIME_LIMIT.toSeconds()));
        RequestCounts.PeriodPeak peak = relay.peakPerPeriod();
        checks.add(Check.of("origin requests per resource in any " + maxAge.toSeconds() + " s (max-age)", "<= " + HANDFUL,
                RequestCounts.describe(peak), peak.count() <= HANDFUL));
        checks.add(Check.of(DISTINCT_LABEL, "<= " + DISTINCT_AT_ORIGIN,
                fmt(relay.distinctResources()), relay.distinctResources() <= DISTINCT_AT_ORIGIN));
        // the crowd's, as the summary counts them; the proxy's start (every map fetched) came before and is said apart
        checks.add(Check.info("origin requests during the crowd", fmt(r.origin() == null ? 0 : r.origin().requests())
                + " for " + fmt(r.requests()) + " viewer requests (before the crowd, at the proxy's start: "
                + fmt(r.origin() == null ? 0 : r.origin().beforeRun()) + ")"));
        checks.add(Check.info("request latency p50 / p99 / max", SummaryTableLine.latency(r.requestLatency())));
        checks.add(Check.info("join latency p50 / p99 / max", SummaryTableLine.latency(r.joinLatency())));
        return checks;
    }
}

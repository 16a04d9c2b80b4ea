package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * What a tree of proxies buys (ARCHITECTURE.md §3, data flow): origin → 2 regional proxies → 4 edge proxies, viewers
 * spread over the edges, in three rounds of N, 10N and 100N viewers. Each regional asks the origin
 * about each document about once per refresh period (the proxies refresh hot entries ahead of
 * max-age), so the origin's load per period is bounded by the documents, not the viewers: it may
 * rise while a growing crowd makes more documents hot, but must grow at most a tenth as much as
 * the crowd from N to 100N. Viewers here find their
 * PID and rank peers locally, so that every request is one a cache can share; per-viewer queries
 * reach the origin whatever the tree (see flash-crowd).
 */
final class TreeScenario implements Scenario {
    static final long DEFAULT_BASE = 1_000;
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(20);
    static final int REGIONALS = 2;

    @Override
    public String name() {
        return "tree";
    }

    @Override
    public String summary() {
        return "origin -> 2 regional -> 4 edge proxies; origin load per refresh period as viewers grow 10x and 100x";
    }

    @Override
    public Set<ScenarioOption> options() {
        return ScenarioOption.CROWD;
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        List<Check> checks = new ArrayList<>();
        if (!ctx.lab.pullAvailable()) {
            return List.of(Check.notRun("proxy tree", "no pull proxy in this build"));
        }
        long base = ctx.viewers(DEFAULT_BASE);
        Duration window = ctx.window(DEFAULT_WINDOW);
        Duration maxAge = ctx.maxAge(Duration.ofSeconds(5));
        Path maps = ctx.lab.topology(TopologySpec.of(200, 10, ctx.options.seed()));
        CountingRelay relay = ctx.lab.startOrigin(maps, Duration.ofHours(1), maxAge);
        List<String> edges = new ArrayList<>();
        for (int r = 1; r <= REGIONALS; r++) {
            String regional = ctx.lab.startProxy("regional-" + r, relay.baseUri()).baseUri();
            for (int e = 1; e <= 2; e++) {
                edges.add(ctx.lab.startProxy("edge-" + r + "." + e, regional).baseUri());
            }
        }
        Population.Mix mix = new Population.Mix(0.25, 0.5, 0.0, 0.0, 8);
        double previousPerPeriod = -1;
        double firstPerPeriod = -1;
        long previousResources = 0;
        for (long factor : new long[] {1, 10, 100}) {
            long viewers = base * factor;
            relay.countPeriods(maxAge);
            long before = relay.total();
            long t0 = System.nanoTime();
            ScenarioContext.Crowd crowd = ctx.crowd(edges, maps, viewers, ArrivalSchedule.flash(window)).with(mix);
            RunReport r = ctx.run("tree-" + factor + "x", crowd, relay);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long origin = relay.total() - before;
            double periods = Math.max(1, Math.ceil(seconds / maxAge.toSeconds()));
            long resources = Math.max(1, relay.distinctResources());
            // per resource, so that a larger crowd touching more PIDs' rows does not look like more load per document
            double perResource = origin / (resources * periods);
            String label = String.format(Locale.ROOT, "%s viewers (%dx)", fmt(viewers), factor);
            checks.add(Check.of(label + ": joined, no errors, all verified", fmt(viewers) + ", 0, 0",
                    fmt(r.viewers().joined()) + ", " + fmt(r.errorCount()) + ", " + fmt(r.verification().failures()),
                    r.viewers().joined() == viewers && r.errorCount() == 0 && r.verification().failures() == 0));
            checks.add(Check.info(label + ": origin requests",
                    String.format(Locale.ROOT, "%s in %.0f s (%.0f per %d s period) for %s viewer requests, %s resources",
                            fmt(origin), seconds, origin / periods, maxAge.toSeconds(), fmt(r.requests()), fmt(resources))));
            RequestCounts.PeriodPeak peak = relay.peakPerPeriod();
            checks.add(Check.of(label + ": busiest resource in any " + maxAge.toSeconds() + " s (max-age)",
                    "<= " + REGIONALS * FlashCrowd.HANDFUL, RequestCounts.describe(peak),
                    peak.count() <= REGIONALS * FlashCrowd.HANDFUL));
            // each regional asks the origin about each resource about once per refresh period, however many viewers;
            // a mean over resources and periods (the drain's included): the busiest resource's busiest period is the check above
            checks.add(Check.of(label + ": mean origin requests per resource per period (drain included)",
                    "<= " + (REGIONALS + 1),
                    String.format(Locale.ROOT, "%.2f", perResource), perResource <= REGIONALS + 1));
            double perPeriod = origin / periods;
            if (previousPerPeriod >= 0) {
                checks.add(Check.info(label + ": origin load per period vs the crowd 10x smaller",
                        String.format(Locale.ROOT, "%.2fx (resources asked for: %s, then %s)",
                                perPeriod / Math.max(1e-9, previousPerPeriod), fmt(previousResources), fmt(resources))));
            } else {
                firstPerPeriod = perPeriod;
            }
            if (factor == 100) {
                // the crowd grew 100x; what the tree buys is an origin load that grows at most a tenth as much
                double growth = perPeriod / Math.max(1e-9, firstPerPeriod);
                checks.add(Check.of("origin load per period, 100x crowd vs 1x", "<= 10x",
                        String.format(Locale.ROOT, "%.2fx (%.0f -> %.0f)", growth, firstPerPeriod, perPeriod), growth <= 10));
            }
            previousPerPeriod = perPeriod;
            previousResources = resources;
        }
        return checks;
    }
}

package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.rproxy.harness.churn.Churner;
import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * The maps change every second while viewers are served: an origin with its update stream, a
 * regional push proxy and two edge push proxies under it, viewers on the edges, and a churn
 * round each second. For every round it measures the time from the file being written to every
 * proxy serving the new version of the cost map; the change must reach them all, within "a second
 * or two" of the edit (the push README's promise for a tree) at the median and five seconds at the
 * 99th percentile, with no viewer error or verification failure. The time includes the origin's
 * own part (its folder watcher waits for the folder to be quiet, then reloads and re-signs).
 */
final class PushStorm implements Scenario {
    static final int ROUNDS = 30;

    @Override
    public String name() {
        return "push-storm";
    }

    @Override
    public String summary() {
        return "churn every second under load through origin -> regional -> 2 edge push proxies; time from change to all serving it";
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        if (!ctx.lab.pushAvailable()) {
            return List.of(Check.notRun("push-storm", "no push mode in this build"));
        }
        Path maps = ctx.lab.topology(TopologySpec.of(200, 5, ctx.options.seed()));
        ProxyProcess origin = ctx.lab.startOriginProcess(maps, ctx.maxAge(Duration.ofSeconds(60)));
        String regional = ctx.lab.startPushProxy("regional-1", origin.baseUri()).baseUri();
        List<String> edges = List.of(ctx.lab.startPushProxy("edge-1", regional).baseUri(),
                ctx.lab.startPushProxy("edge-2", regional).baseUri());
        List<String> proxies = new ArrayList<>(edges);
        proxies.add(0, regional);
        Propagation watch = new Propagation(origin.baseUri(), proxies, "/costmap/routingcost-map", Duration.ofSeconds(10));
        Churner churner = new Churner(maps, 0.01, 5, ctx.options.seed());
        long viewers = ctx.viewers(200L * ROUNDS);
        ExecutorService load = Executors.newSingleThreadExecutor();
        try {
            // push proxies serve full documents; queries are pull mode's, so these viewers use the maps alone
            ScenarioContext.Crowd crowd = ctx.crowd(edges, maps, viewers, ArrivalSchedule.steady(viewers / (double) ROUNDS))
                    .with(new Population.Mix(0.25, 0.0, 0.0, 0.0, 8)).onlyDocuments();
            Future<RunReport> run = load.submit(() -> ctx.run("push-storm", crowd, null));
            watch.followChurn(churner, ROUNDS);
            RunReport r = run.get();
            List<Check> checks = new ArrayList<>();
            checks.add(Check.of("changes that reached every proxy", ROUNDS + " of " + ROUNDS,
                    watch.reached() + " (missed " + watch.missed() + ")", watch.missed() == 0 && watch.reached() == ROUNDS));
            checks.add(Check.of("change to all proxies, p50", "<= 2000 ms", String.format(Locale.ROOT, "%.0f ms", watch.p50Millis()),
                    watch.p50Millis() <= 2000));
            checks.add(Check.of("change to all proxies, p99", "<= 5000 ms", String.format(Locale.ROOT, "%.0f ms", watch.p99Millis()),
                    watch.p99Millis() <= 5000));
            checks.add(Check.info("propagation", watch.describe()));
            checks.add(Check.of("viewer errors during the storm", "0", fmt(r.errorCount()), r.errorCount() == 0));
            checks.add(Check.of("verification failures", "0", fmt(r.verification().failures()), r.verification().failures() == 0));
            r.errors().forEach((kind, n) -> checks.add(Check.info("error: " + kind, fmt(n))));
            return checks;
        } finally {
            load.shutdownNow();
        }
    }
}

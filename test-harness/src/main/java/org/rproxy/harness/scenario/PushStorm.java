package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.rproxy.harness.churn.Churner;
import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.topology.TopologySpec;

/**
 * The maps change every second while viewers are served, and every change must reach every proxy
 * of a tree that ends in push proxies, whatever sits at its top. Three trees, one after another:
 * <ul>
 *   <li>{@code push}: the origin with its update stream, a regional push proxy and two edge push
 *       proxies under it — "a second or two" from the edit (p50 <= 2 s, p99 <= 5 s);</li>
 *   <li>{@code pull}: the origin with a 1 s max-age, a regional <em>pull</em> proxy, whose update
 *       stream carries what its refresh brings, and two edge push proxies subscribed to it — the
 *       pull proxy's refresh period added (p50 <= 3 s, p99 <= 6 s);</li>
 *   <li>{@code signing-front}: an unsigned RFC 7285 server on the maps folder, a signing front
 *       reading it every second and streaming what changed, a regional and two edge push proxies
 *       — the front's poll interval added (p50 <= 3 s, p99 <= 6 s).</li>
 * </ul>
 * The last two read their source on a schedule and would fold changes made faster into one
 * version, so their rounds come every 3 s instead of every second.
 * For every round it measures the time from the file being written to every proxy serving the new
 * version of the cost map, with no viewer error or verification failure. The time includes the
 * top's own part (the origin's folder watcher waits for the folder to be quiet, then reloads and
 * re-signs; the front polls).
 */
final class PushStorm implements Scenario {
    static final int ROUNDS = 20;

    /** A tree under test, with what "within a second or two" means for it. */
    enum Tree {
        PUSH("push", 1, 2000, 5000), PULL("pull", 3, 3000, 6000), SIGNING_FRONT("signing-front", 3, 3000, 6000);

        final String label;
        /** Seconds between churn rounds: wider than the top's own read period, so no change folds into the next. */
        final int periodSeconds;
        final long p50Millis;
        final long p99Millis;

        Tree(String label, int periodSeconds, long p50Millis, long p99Millis) {
            this.label = label;
            this.periodSeconds = periodSeconds;
            this.p50Millis = p50Millis;
            this.p99Millis = p99Millis;
        }
    }

    @Override
    public String name() {
        return "push-storm";
    }

    @Override
    public String summary() {
        return "churn every second under load through three trees ending in push proxies (origin, pull proxy, signing front"
                + " at the top); time from change to all serving it";
    }

    @Override
    public Set<ScenarioOption> options() {
        return EnumSet.of(ScenarioOption.VIEWERS, ScenarioOption.MAX_AGE, ScenarioOption.CONNECTIONS, ScenarioOption.PIPELINE,
                ScenarioOption.IO_THREADS, ScenarioOption.RPROXY_JAR);
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        if (!ctx.lab.pushAvailable()) {
            return List.of(Check.notRun("push-storm", "no push mode in this build"));
        }
        List<Check> checks = ctx.checks();
        for (Tree tree : Tree.values()) {
            checks.addAll(run(ctx, tree));
        }
        return checks;
    }

    private List<Check> run(ScenarioContext ctx, Tree tree) throws Exception {
        Path maps = ctx.lab.topology(TopologySpec.of(200, 5, ctx.options.seed()));
        List<AutoCloseable> parts = new ArrayList<>();
        ExecutorService load = Executors.newSingleThreadExecutor();
        try {
            String top = startTop(ctx, tree, maps, parts);
            ProxyProcess regional = tree == Tree.PULL ? ctx.lab.startProxy("regional-" + tree.label, top)
                    : ctx.lab.startPushProxy("regional-" + tree.label, top);
            parts.add(regional);
            List<String> edges = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                ProxyProcess edge = ctx.lab.startPushProxy("edge-" + i + "-" + tree.label, regional.baseUri());
                parts.add(edge);
                edges.add(edge.baseUri());
            }
            List<String> proxies = new ArrayList<>(edges);
            proxies.add(0, regional.baseUri());
            Propagation watch = new Propagation(top, proxies, "/costmap/routingcost-map", Duration.ofSeconds(10));
            Churner churner = new Churner(maps, 0.01, 5, ctx.options.seed());
            long viewers = ctx.viewers(200L * ROUNDS);
            // push proxies serve full documents; queries are pull mode's, so these viewers use the maps alone
            ScenarioContext.Crowd crowd = ctx.crowd(edges, maps, viewers,
                            ArrivalSchedule.steady(viewers / (double) (ROUNDS * tree.periodSeconds)))
                    .with(new Population.Mix(0.25, 0.0, 0.0, 0.0, 8)).onlyDocuments();
            Future<RunReport> run = load.submit(() -> ctx.run("push-storm " + tree.label, crowd, null));
            watch.followChurn(churner, ROUNDS, Duration.ofSeconds(tree.periodSeconds));
            return checks(tree, watch, run.get());
        } finally {
            load.shutdownNow();
            for (int i = parts.size() - 1; i >= 0; i--) {
                parts.get(i).close();
            }
        }
    }

    /** Starts the top of {@code tree} on {@code maps}; returns its base URI. */
    private static String startTop(ScenarioContext ctx, Tree tree, Path maps, List<AutoCloseable> parts) throws Exception {
        if (tree == Tree.SIGNING_FRONT) {
            UnsignedServer unsigned = UnsignedServer.start(maps);
            parts.add(unsigned);
            ProxyProcess front = ctx.lab.startSigningFront(unsigned.directoryUrl(), Duration.ofSeconds(1),
                    ctx.maxAge(Duration.ofSeconds(60)));
            parts.add(front);
            return front.baseUri();
        }
        // Under a pull proxy the origin's max-age is the pull proxy's refresh period.
        ProxyProcess origin = ctx.lab.startOriginProcess(maps,
                ctx.maxAge(tree == Tree.PULL ? Duration.ofSeconds(1) : Duration.ofSeconds(60)));
        parts.add(origin);
        return origin.baseUri();
    }

    private static List<Check> checks(Tree tree, Propagation watch, RunReport r) {
        String t = "[" + tree.label + "] ";
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of(t + "changes that reached every proxy", ROUNDS + " of " + ROUNDS,
                watch.reached() + " (missed " + watch.missed() + ")", watch.missed() == 0 && watch.reached() == ROUNDS));
        checks.add(Check.of(t + "change to all proxies, p50", "<= " + tree.p50Millis + " ms",
                String.format(Locale.ROOT, "%.0f ms", watch.p50Millis()), watch.p50Millis() <= tree.p50Millis));
        checks.add(Check.of(t + "change to all proxies, p99", "<= " + tree.p99Millis + " ms",
                String.format(Locale.ROOT, "%.0f ms", watch.p99Millis()), watch.p99Millis() <= tree.p99Millis));
        checks.add(Check.info(t + "propagation", watch.describe()));
        checks.add(Check.of(t + "viewer errors during the storm", "0", fmt(r.errorCount()), r.errorCount() == 0));
        checks.add(Check.of(t + "verification failures", "0", fmt(r.verification().failures()),
                r.verification().failures() == 0));
        r.errors().forEach((kind, n) -> checks.add(Check.info(t + "error: " + kind, fmt(n))));
        return checks;
    }
}

package org.rproxy.harness.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.rproxy.core.config.Durations;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code harness scenario NAME}: a whole experiment in one command, judged by its verdict table. */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = {"Run a whole experiment on loopback (origin, relay, proxies, viewers) and print a verdict table.",
                "",
                "Exit 0 when every check passes; 1 when one fails, a part could not run or the scenario stopped on an error;"
                        + " 2 on a usage error.",
                "",
                "Each scenario uses only some of the options below ('Used by', or NAME 'list') and refuses the others;"
                        + " --seed, --report and --keep apply to every scenario.",
                "",
                "Scenarios: flash-crowd, tree, outage, tamper, push-storm, slow-subscriber, heavy-queries, edge-caches, streaming-viewers, idle-flood, half-closed-burst, overlay (NAME 'list' lists them)."})
public final class ScenarioCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "The scenario, or 'list'.")
    String name;

    @Option(names = "--viewers", paramLabel = "N", description = {"Viewers (default: the scenario's).",
            "Used by: flash-crowd, tree, outage, tamper, edge-caches, push-storm, streaming-viewers, overlay."})
    Long viewers;

    @Option(names = "--peers", paramLabel = "N", description = {"Overlay peers (default 200).", "Used by: overlay."})
    Integer peers;

    @Option(names = "--seeding", description = {"Overlay peers seed on what they fetched and verified (default: off).",
            "Used by: overlay."})
    boolean seeding;

    @Option(names = "--window", paramLabel = "D", description = {"Arrival window (default: the scenario's).",
            "Used by: flash-crowd, tree, outage, tamper, edge-caches, overlay."})
    Duration window;

    @Option(names = "--max-age", paramLabel = "D",
            description = {"The origin's max-age, the refresh period (default: the scenario's).", "Used by: every scenario."})
    Duration maxAge;

    @Option(names = "--connections", defaultValue = "64", paramLabel = "C",
            description = {"Viewer connections per target (default ${DEFAULT-VALUE}).",
                    "Used by: flash-crowd, tree, outage, tamper, edge-caches, push-storm, streaming-viewers."})
    int connections;

    @Option(names = "--pipeline", defaultValue = "8", paramLabel = "D",
            description = {"Requests in flight per viewer connection (default ${DEFAULT-VALUE}).",
                    "Used by: flash-crowd, tree, outage, tamper, edge-caches, push-storm."})
    int pipeline;

    @Option(names = "--io-threads", defaultValue = "1", paramLabel = "T",
            description = {"Viewer client event-loop threads (default ${DEFAULT-VALUE}).",
                    "Used by: flash-crowd, tree, outage, tamper, edge-caches, push-storm, streaming-viewers."})
    int ioThreads;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--report", paramLabel = "DIR", description = "Report folder (default harness-reports/NAME-TIME).")
    Path report;

    @Option(names = "--rproxy-jar", paramLabel = "JAR",
            description = {"Run proxies from this rproxy jar (default: this harness's own class path).",
                    "Used by: every scenario but overlay."})
    Path rproxyJar;

    @Option(names = "--keep", description = "Keep the lab folder (keys, maps, proxy logs) in the report folder.")
    boolean keep;

    @Option(names = "--via", paramLabel = "MODE",
            description = {"Subscribe on a push proxy (push, the default) or a pull proxy (pull).",
                    "Used by: streaming-viewers."})
    String via;

    static Map<String, Scenario> all() {
        Map<String, Scenario> m = new TreeMap<>();
        for (Scenario s : List.of(new FlashCrowd(), new TreeScenario(), new Outage(), new Tamper(), new PushStorm(),
                new SlowSubscriber(), new HeavyQueries(), new EdgeCaches(), new StreamingViewersScenario(), new IdleFlood(), new HalfClosedBurst(),
                new OverlayScenario())) {
            m.put(s.name(), s);
        }
        return m;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Scenario> all = all();
        if (name.equals("list")) {
            all.values().forEach(s -> System.out.printf("  %-18s %s%n  %-18s options: %s%n", s.name(), s.summary(), "",
                    ScenarioOption.flags(s.options())));
            return 0;
        }
        Scenario s = all.get(name);
        if (s == null) {
            System.err.println("harness scenario: no scenario '" + name + "' (have: " + all.keySet() + ")");
            return 2;
        }
        String refused = refusal(s, given());
        if (refused != null) {
            System.err.println("harness scenario " + name + ": " + refused);
            return 2;
        }
        String invalid = invalid(viewers, window, connections, pipeline, ioThreads, peers, via);
        if (invalid != null) {
            System.err.println("harness scenario " + name + ": " + invalid);
            return 2;
        }
        Path reports = report != null ? report : ScenarioContext.defaultReports(name);
        ScenarioContext.Options opts = new ScenarioContext.Options(viewers, window, connections, pipeline, ioThreads, seed,
                maxAge, rproxyJar, keep, via, peers, seeding);
        return execute(s, opts, reports, System.out);
    }

    /** The options of {@link ScenarioOption} given on the command line. */
    Set<ScenarioOption> given() {
        Set<ScenarioOption> given = EnumSet.noneOf(ScenarioOption.class);
        for (ScenarioOption o : ScenarioOption.values()) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o.flag)) {
                given.add(o);
            }
        }
        return given;
    }

    /** Why {@code given} cannot be run as {@code s}, in one line, or null when {@code s} uses every option given. */
    static String refusal(Scenario s, Set<ScenarioOption> given) {
        Set<ScenarioOption> unused = EnumSet.noneOf(ScenarioOption.class);
        unused.addAll(given);
        unused.removeAll(s.options());
        if (unused.isEmpty()) {
            return null;
        }
        return ScenarioOption.flags(unused) + (unused.size() == 1 ? " is" : " are") + " not used by this scenario (it uses: "
                + ScenarioOption.flags(s.options()) + ")";
    }

    /**
     * What is wrong with an option's value, in one line naming it, or null: refused before the lab
     * starts (exit 2), not met by the crowd after minutes of setting up origin, proxies and caches.
     * The bounds are the viewers client's ({@code LoadConfig}, {@code ClientPool}) and the overlay's
     * ({@link OverlaySettings#MAX_PEERS}).
     */
    static String invalid(Long viewers, Duration window, int connections, int pipeline, int ioThreads, Integer peers,
                          String via) {
        if (viewers != null && viewers < 1) {
            return "--viewers: " + viewers + " (expected: >= 1)";
        }
        if (window != null && (window.isNegative() || window.isZero())) {
            return "--window: " + Durations.format(window) + " (expected: > 0)";
        }
        if (connections < 1 || connections > 10_000) {
            return "--connections: " + connections + " (expected: 1-10000)";
        }
        if (pipeline < 1 || pipeline > 128) {
            return "--pipeline: " + pipeline + " (expected: 1-128)";
        }
        if (ioThreads < 1 || ioThreads > 64) {
            return "--io-threads: " + ioThreads + " (expected: 1-64)";
        }
        if (peers != null && (peers < 1 || peers > OverlaySettings.MAX_PEERS)) {
            return "--peers: " + peers + " (expected: 1-" + OverlaySettings.MAX_PEERS + ")";
        }
        if (via != null && !via.equals("push") && !via.equals("pull")) {
            return "--via: " + via + " (expected: push or pull)";
        }
        return null;
    }

    /**
     * Runs {@code s} in a lab of its own (in {@code reports/lab} with {@code --keep}, else a temporary
     * folder deleted at the end), prints its verdict table and writes it to {@code verdict.txt}, and
     * as JSON to {@code verdict.json}; returns
     * the exit code. A scenario that throws fails (exit 1) with the lines it had added to
     * {@link ScenarioContext#checks} and a NOT RUN line saying what stopped it; its lab folder is kept,
     * since the message may point at a log there.
     */
    static int execute(Scenario s, ScenarioContext.Options opts, Path reports, PrintStream out) throws IOException {
        Files.createDirectories(reports);
        Path labDir = opts.keep() ? reports.resolve("lab") : Files.createTempDirectory("harness-lab-");
        List<Check> checks;
        try (Lab lab = new Lab(labDir, out, opts.rproxyJar(), !opts.keep())) {
            ScenarioContext ctx = new ScenarioContext(opts, out, reports, lab);
            try {
                checks = s.run(ctx);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                lab.keepFolder();
                out.println("harness scenario " + s.name() + ": stopped by " + e + "; lab folder kept: " + labDir);
                if (Boolean.getBoolean("harness.trace")) {
                    e.printStackTrace(out);
                }
                checks = new ArrayList<>(ctx.checks());
                String why = e.getMessage() != null ? e.getMessage() : e.toString();
                checks.add(Check.notRun("the rest of the scenario", "stopped: " + why));
            }
        }
        String table = VerdictTable.render(s.name(), checks);
        out.print(table);
        Files.writeString(reports.resolve("verdict.txt"), table);
        Files.writeString(reports.resolve("verdict.json"), VerdictTable.json(s.name(), checks));
        return VerdictTable.passed(checks) ? 0 : 1;
    }
}

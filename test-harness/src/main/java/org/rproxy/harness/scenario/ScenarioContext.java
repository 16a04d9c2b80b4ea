package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.sign.VerificationKey;
import org.rproxy.harness.load.AddressSource;
import org.rproxy.harness.load.ArrivalSchedule;
import org.rproxy.harness.load.LoadConfig;
import org.rproxy.harness.load.LoadRun;
import org.rproxy.harness.load.OriginCounter;
import org.rproxy.harness.load.Population;
import org.rproxy.harness.load.Progress;
import org.rproxy.harness.load.VerifyMode;
import org.rproxy.harness.report.ReportFiles;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.report.SummaryTable;

/**
 * What a scenario is given: its options, where to print and write reports, and a way to run a
 * crowd of viewers against a lab with the common settings. One per scenario run.
 */
final class ScenarioContext {
    /**
     * Options a user may set for any scenario; null means the scenario's own default.
     *
     * @param via     the mode of the proxy viewers use, for the scenarios that offer a choice ({@code push} or {@code pull})
     * @param peers   overlay peers, for the {@code overlay} scenario (null: its default)
     * @param seeding whether overlay peers seed on what they fetched
     */
    record Options(Long viewers, Duration window, int connections, int pipeline, int ioThreads, long seed,
                   Duration maxAge, Path rproxyJar, boolean keep, String via, Integer peers, boolean seeding) {
    }

    final Options options;
    final PrintStream out;
    final Path reports;
    final Lab lab;
    private final List<Check> checks = new ArrayList<>();

    ScenarioContext(Options options, PrintStream out, Path reports, Lab lab) {
        this.options = requireNonNull(options, "options");
        this.out = requireNonNull(out, "out");
        this.reports = requireNonNull(reports, "reports");
        this.lab = requireNonNull(lab, "lab");
    }

    /**
     * The verdict lines of this run so far: a scenario that adds its lines here as it goes (and
     * returns this list) keeps them when a later part throws.
     */
    List<Check> checks() {
        return checks;
    }

    long viewers(long dflt) {
        return options.viewers() != null ? options.viewers() : dflt;
    }

    Duration window(Duration dflt) {
        return options.window() != null ? options.window() : dflt;
    }

    Duration maxAge(Duration dflt) {
        return options.maxAge() != null ? options.maxAge() : dflt;
    }

    /** A crowd of the given shape, with the context's connection settings. */
    Crowd crowd(List<String> targets, Path maps, long viewers, ArrivalSchedule arrival) {
        return new Crowd(targets, maps, viewers, arrival, Population.Mix.defaults(), VerifyMode.ALL, null, Duration.ofSeconds(90),
                false);
    }

    /**
     * One crowd to run.
     *
     * @param duration no arrivals after this, or null
     * @param drain    time after the last arrival for viewers to finish
     */
    record Crowd(List<String> targets, Path maps, long viewers, ArrivalSchedule arrival, Population.Mix mix,
                 VerifyMode verify, Duration duration, Duration drain, boolean documentsOnly) {
        Crowd with(Population.Mix m) {
            return new Crowd(targets, maps, viewers, arrival, m, verify, duration, drain, documentsOnly);
        }

        Crowd drain(Duration d) {
            return new Crowd(targets, maps, viewers, arrival, mix, verify, duration, d, documentsOnly);
        }

        /** Viewers read the signed documents only (directory, network map), as push proxies serve no queries. */
        Crowd onlyDocuments() {
            return new Crowd(targets, maps, viewers, arrival, mix, verify, duration, drain, true);
        }
    }

    /** Runs a crowd, prints its summary, writes its report under {@code reports/phase}. */
    RunReport run(String phase, Crowd crowd, OriginCounter origin) throws Exception {
        LoadConfig config = new LoadConfig(crowd.targets().stream().map(URI::create).toList(),
                List.of(VerificationKey.readPem(lab.pub())), crowd.viewers(), crowd.arrival(), crowd.verify(),
                options.connections(), options.pipeline(), options.ioThreads(), crowd.duration(), crowd.drain(),
                Duration.ofSeconds(30), crowd.mix(), true, options.seed(), AddressSource.fromFolder(crowd.maps()),
                crowd.documentsOnly());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("phase", phase);
        settings.put("targets", crowd.targets().toString());
        settings.put("viewers", Long.toString(crowd.viewers()));
        settings.put("arrival", crowd.arrival().toString());
        settings.put("verify", crowd.verify().toString());
        settings.put("connections per target", Integer.toString(options.connections()));
        settings.put("pipeline", Integer.toString(options.pipeline()));
        settings.put("io-threads", Integer.toString(options.ioThreads()));
        settings.put("duration", crowd.duration() == null ? "none (until all arrived)" : crowd.duration().toString());
        settings.put("drain", crowd.drain().toString());
        settings.put("timeout", config.timeout().toString());
        settings.put("mix", crowd.mix().toString());
        settings.put("documents only", crowd.documentsOnly() ? "yes" : "no");
        settings.put("gzip", Boolean.toString(config.gzip()));
        settings.put("seed", Long.toString(options.seed()));
        out.printf("%s: %,d viewers, %s, to %s%n", phase, crowd.viewers(), crowd.arrival(), crowd.targets());
        RunReport r = new LoadRun(config, Progress.console(), origin, settings).run(phase);
        out.print(SummaryTable.render(r));
        Path html = ReportFiles.write(r, reports.resolve(phase));
        out.println("report: " + html);
        return r;
    }

    static String fmt(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    static Path defaultReports(String name) {
        return Path.of("harness-reports", name + "-" + java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-'));
    }

    void close() throws IOException {
        lab.close();
    }
}

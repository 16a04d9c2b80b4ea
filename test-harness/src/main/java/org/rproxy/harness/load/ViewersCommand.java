package org.rproxy.harness.load;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rproxy.core.config.Durations;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.harness.report.ReportFiles;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.report.SummaryTable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code harness viewers}: simulated viewers joining a live event, open loop, verified. */
@Command(name = "viewers", mixinStandardHelpOptions = true,
        description = "Simulate viewers joining a live event: each reads the directory or capability, the network map "
                + "(conditionally when returning), finds its PID, reads its cost row and ranks candidate peers. "
                + "Arrivals are open loop; latency counts from when a request was due. Exit 1 on any error or "
                + "verification failure, or when fewer viewers arrived than planned (--duration).")
public final class ViewersCommand implements Callable<Integer> {

    @Option(names = "--target", required = true, split = ",", paramLabel = "URL",
            description = "Origin or proxy URLs, http or https; viewers are spread over them.")
    List<URI> targets;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "PEM CA certificates to check https targets and an https --origin-metrics against "
                    + "(default: the system trust store); one file may hold several CAs. The certificate must name "
                    + "the URL's host either way.")
    Path ca;

    @Option(names = "--trust", paramLabel = "PUBFILE", description = "Origin public key (SPKI PEM); repeatable.")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--viewers", defaultValue = "10000", paramLabel = "N", description = "Viewers (default ${DEFAULT-VALUE}).")
    long viewers;

    @Option(names = "--arrival", defaultValue = "flash:10s", paramLabel = "SHAPE",
            description = "flash:DURATION | poisson:RATE | steady:RATE (default ${DEFAULT-VALUE}).")
    String arrival;

    @Option(names = "--verify", defaultValue = "all", paramLabel = "MODE",
            description = "all | sample:P | none (default ${DEFAULT-VALUE}). 'all' verifies each distinct representation once "
                    + "and checks every response against it byte for byte.")
    String verify;

    @Option(names = "--connections", defaultValue = "32", paramLabel = "C",
            description = "Keep-alive connections per target (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--pipeline", defaultValue = "1", paramLabel = "D",
            description = "Requests in flight per connection; > 1 pipelines (default ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = "--io-threads", defaultValue = "1", paramLabel = "T",
            description = "Client event-loop threads (default ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--duration", paramLabel = "D", description = "No arrivals after this (default: until all N arrived).")
    Duration duration;

    @Option(names = "--drain", defaultValue = "60s", paramLabel = "D",
            description = "Time allowed after the last arrival for viewers to finish (default ${DEFAULT-VALUE}).")
    Duration drain;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "D",
            description = "A request unanswered this long after it was sent fails (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--maps", paramLabel = "DIR",
            description = "Maps folder to draw viewers' addresses from (default: fetch the network map from the first target).")
    Path maps;

    @Option(names = "--returning", defaultValue = "0.25", paramLabel = "SHARE",
            description = "Share of returning viewers, who hold a tag (default ${DEFAULT-VALUE}).")
    double returning;

    @Option(names = "--xml", defaultValue = "0.5", paramLabel = "SHARE",
            description = "Share of viewers speaking the seed's XML dialect (default ${DEFAULT-VALUE}).")
    double xml;

    @Option(names = "--server-pid", defaultValue = "0.25", paramLabel = "SHARE",
            description = "Share of viewers asking the server for their PID (default ${DEFAULT-VALUE}).")
    double serverPid;

    @Option(names = "--server-rank", defaultValue = "1.0", paramLabel = "SHARE",
            description = "Share of viewers asking the server to rank their peers; the rest rank locally (default ${DEFAULT-VALUE}).")
    double serverRank;

    @Option(names = "--peers", defaultValue = "8", paramLabel = "K", description = "Candidate peers ranked (default ${DEFAULT-VALUE}).")
    int peers;

    @Option(names = "--gzip", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Accept gzip variants (default ${DEFAULT-VALUE}).")
    boolean gzip;

    @Option(names = "--documents-only", description = "Viewers read the directory/capability and the network map only, "
            + "every one finding its PID in the map (--server-pid and --server-rank do not apply): for servers that "
            + "answer no queries, such as push-mode proxies.")
    boolean documentsOnly;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the crowd (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--origin-metrics", paramLabel = "URL",
            description = "Prometheus /metrics of the origin, to report the requests it served; http or https "
                    + "(checked against --ca as the targets are).")
    URI originMetrics;

    @Option(names = "--origin-metric", defaultValue = "rproxy_requests_total", paramLabel = "NAME",
            description = "Counter read from --origin-metrics (default ${DEFAULT-VALUE}).")
    String originMetric;

    @Option(names = "--report", paramLabel = "DIR", description = "Write report.json and report.html here.")
    Path report;

    @Override
    public Integer call() throws Exception {
        // every value is checked before a key is read or anything is fetched from a target
        VerifyMode mode = VerifyMode.parse(verify);
        ArrivalSchedule schedule = ArrivalSchedule.parse(arrival);
        Population.Mix mix = new Population.Mix(returning, xml, serverPid, serverRank, peers);
        LoadConfig.checkCounts(viewers, connections, pipeline, ioThreads);
        LoadConfig.checkTrust(mode, trust.size());
        LoadConfig.checkTargets(targets);
        List<VerificationKey> keys = new ArrayList<>();
        trust.forEach(p -> keys.add(VerificationKey.readPem(p)));
        List<URI> urls = new ArrayList<>(targets);
        if (originMetrics != null) {
            urls.add(originMetrics);
        }
        TargetTls tls = TargetTls.forTargets(urls, ca);
        NetworkMap addresses = maps != null ? AddressSource.fromFolder(maps) : AddressSource.fromServer(targets.get(0), keys, tls);
        LoadConfig config = new LoadConfig(targets, keys, viewers, schedule, mode, connections, pipeline, ioThreads,
                duration, drain, timeout, mix, gzip, seed, addresses, documentsOnly, tls);
        OriginCounter origin = originMetrics == null ? null : new PrometheusOriginCounter(originMetrics, originMetric, tls);
        Map<String, String> settings = new LinkedHashMap<>();
        // every option, so that a report says how its run was made
        settings.put("targets", targets.toString());
        settings.put("tls", tls == null ? "none (no https URL)" : "certificates checked against " + tls.trust()
                + ", host names against the https URLs' (targets, origin metrics); ALPN http/1.1 to the targets");
        settings.put("trust", trust.isEmpty() ? "none" : trust.toString());
        settings.put("viewers", Long.toString(viewers));
        settings.put("arrival", arrival);
        settings.put("duration", duration == null ? "none (until all " + viewers + " arrived)" : Durations.format(duration));
        settings.put("drain", Durations.format(drain));
        settings.put("timeout", Durations.format(timeout));
        settings.put("verify", mode.toString());
        settings.put("connections per target", Integer.toString(connections));
        settings.put("pipeline", Integer.toString(pipeline));
        settings.put("io-threads", Integer.toString(ioThreads));
        settings.put("mix", config.mix().toString());
        settings.put("documents only", documentsOnly
                ? "yes: PIDs found in the map, no queries (server-pid and server-rank do not apply)" : "no");
        settings.put("gzip", Boolean.toString(gzip));
        settings.put("seed", Long.toString(seed));
        settings.put("addresses from", maps != null ? maps.toString() : "network map fetched from " + targets.get(0));
        settings.put("origin metrics", originMetrics == null ? "none" : originMetrics + " (" + originMetric + ")");
        settings.put("report", report == null ? "none" : report.toString());
        RunReport r = new LoadRun(config, Progress.console(), origin, settings).run("viewers: " + viewers + " " + arrival);
        System.out.print(SummaryTable.render(r));
        if (report != null) {
            System.out.println("report: " + ReportFiles.write(r, report));
        }
        boolean allArrived = r.viewers().started() >= r.viewers().planned();
        if (!allArrived) {
            System.out.printf("harness viewers: only %,d of the %,d viewers planned arrived (--duration %s ended the "
                    + "arrivals): the run did not carry the load asked for%n", r.viewers().started(), r.viewers().planned(),
                    Durations.format(duration));
        }
        return allArrived && r.errorCount() == 0 && r.verification().failures() == 0 ? 0 : 1;
    }
}

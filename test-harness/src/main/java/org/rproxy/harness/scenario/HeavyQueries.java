package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.rproxy.harness.topology.TopologySpec;

/**
 * Hostile queries: a valid endpoint cost request of 5,000 x 5,000 IPv6 endpoints (235 KB) asks for
 * 25 million pairs; before the node bounded the work per query, one such request built a 646 MB
 * answer at the origin in 39 s and stalled every other client. Here four of them at once, in
 * {@link #ROUNDS} rounds, go to the origin and to a pull proxy answering queries itself, while a
 * prober asks each node for {@code /directory} every 10 ms. Each heavy query must be answered
 * within 2 s (an ALTO error naming the limit, or a bounded answer), each node's resident memory
 * must grow by less than 256 MB, and {@code /directory} must stay under 100 ms at the 99th
 * percentile throughout.
 */
final class HeavyQueries implements Scenario {
    static final int ROUNDS = 5;
    static final int CONCURRENT = 4;
    static final int ENDPOINTS = 5_000;

    /** A heavy query's answer: its latency and its status with the start of its body. */
    private record Answered(long micros, String outcome) {
    }

    @Override
    public String name() {
        return "heavy-queries";
    }

    @Override
    public String summary() {
        return "4 concurrent 5,000 x 5,000 endpoint-cost queries at the origin and a pull proxy; bounded time, memory and"
                + " latency for others";
    }

    @Override
    public Set<ScenarioOption> options() {
        return EnumSet.of(ScenarioOption.MAX_AGE, ScenarioOption.RPROXY_JAR);
    }

    @Override
    public List<Check> run(ScenarioContext ctx) throws Exception {
        Path maps = ctx.lab.topology(TopologySpec.of(200, 5, ctx.options.seed()));
        ProxyProcess origin = ctx.lab.startOriginProcess(maps, ctx.maxAge(Duration.ofSeconds(60)));
        ProxyProcess proxy = ctx.lab.startProxy("edge", origin.baseUri());
        List<Check> checks = ctx.checks();
        for (ProxyProcess node : List.of(origin, proxy)) {
            checks.addAll(flood(ctx, node));
        }
        return checks;
    }

    private List<Check> flood(ScenarioContext ctx, ProxyProcess node) throws Exception {
        String t = "[" + node.name() + "] ";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        String body = body();
        long rssBefore = node.residentKib();
        warmUp(http, node.baseUri());
        // a request asked every 10 ms by another client, timed as it would wait (no coordinated omission)
        Prober prober = new Prober(http, URI.create(node.baseUri() + "/directory"), Duration.ofMillis(10),
                Duration.ofSeconds(10), Duration.ofMinutes(5)).start();
        Histogram heavy = new Histogram(600_000_000L, 3);
        List<String> outcomes = new ArrayList<>();
        long peakRss = rssBefore;
        Histogram directory;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<CompletableFuture<Answered>> inFlight = new ArrayList<>();
                for (int i = 0; i < CONCURRENT; i++) {
                    long start = System.nanoTime();
                    HttpRequest req = HttpRequest.newBuilder(URI.create(node.baseUri() + "/endpointcost"))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/alto-endpointcostparams+json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    // timed on the client's thread, recorded on this one: a Histogram takes one writer
                    inFlight.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> new Answered(
                            (System.nanoTime() - start) / 1_000,
                            r.statusCode() + " " + r.body().substring(0, Math.min(160, r.body().length())))));
                }
                for (CompletableFuture<Answered> f : inFlight) {
                    Answered a = f.get(90, TimeUnit.SECONDS);
                    heavy.recordValue(Math.max(1, a.micros()));
                    outcomes.add(a.outcome());
                }
                peakRss = Math.max(peakRss, node.residentKib());
            }
        } finally {
            directory = prober.stop();
        }
        long grownMb = (peakRss - rssBefore) / 1024;
        double slowestMs = heavy.getMaxValue() / 1000.0;
        double dirP99 = directory.getValueAtPercentile(99) / 1000.0;
        boolean allRefusedOrBounded = outcomes.stream().allMatch(o -> o.startsWith("400 ") || o.startsWith("503 ")
                || o.startsWith("200 "));
        ctx.out.printf("%s%d heavy queries: %s%n", t, outcomes.size(), outcomes.isEmpty() ? "" : outcomes.get(0));
        return List.of(
                Check.of(t + "heavy queries answered", fmt(ROUNDS * CONCURRENT), fmt(outcomes.size()),
                        outcomes.size() == ROUNDS * CONCURRENT && allRefusedOrBounded),
                Check.info(t + "first answer", outcomes.isEmpty() ? "-" : outcomes.get(0)),
                Check.of(t + "slowest heavy query", "<= 2000 ms", String.format(Locale.ROOT, "%.0f ms", slowestMs),
                        slowestMs <= 2000),
                Check.of(t + "resident memory growth", "< 256 MB", grownMb + " MB (" + rssBefore / 1024 + " MB before)",
                        grownMb < 256),
                Check.of(t + "/directory p99 meanwhile", "<= 100 ms", String.format(Locale.ROOT,
                        "%.1f ms (%d requests, %d failed; max %.1f ms)", dirP99, prober.probes(), prober.failed(),
                        directory.getMaxValue() / 1000.0), dirP99 <= 100 && prober.probes() > 0));
    }

    /** Connection, JIT and first-request costs are not what this scenario measures. */
    private static void warmUp(HttpClient http, String base) throws java.io.IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/directory")).timeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 50; i++) {
            http.send(req, HttpResponse.BodyHandlers.discarding());
        }
    }

    /** 5,000 sources and 5,000 destinations, distinct IPv6 addresses: 25 million pairs asked for. */
    private static String body() {
        StringBuilder b = new StringBuilder(ENDPOINTS * 48);
        b.append("{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\"endpoints\":{\"srcs\":[");
        for (int i = 0; i < ENDPOINTS; i++) {
            b.append(i == 0 ? "" : ",").append("\"ipv6:2001:db8:1::").append(Integer.toHexString(i + 1)).append('"');
        }
        b.append("],\"dsts\":[");
        for (int i = 0; i < ENDPOINTS; i++) {
            b.append(i == 0 ? "" : ",").append("\"ipv6:2001:db8:2::").append(Integer.toHexString(i + 1)).append('"');
        }
        return b.append("]}}").toString();
    }
}

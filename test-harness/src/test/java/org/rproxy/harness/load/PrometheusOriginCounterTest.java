package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;
import org.rproxy.harness.report.SummaryTable;

class PrometheusOriginCounterTest {

    /**
     * The origin's /metrics answers at the start of the run and not at its end (an admin listener
     * restarting, say): the run happened, and its report must not be lost with that one figure.
     */
    @Test
    void aCounterUnreadableAtTheEndCostsTheReportOnlyTheOriginFigure() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        HttpServer metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metrics.createContext("/metrics", ex -> {
            byte[] body = "rproxy_requests_total{method=\"GET\",path=\"/directory\",status=\"200\",} 3.0\n"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(reads.incrementAndGet() == 1 ? 200 : 503, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        metrics.start();
        try (LoopbackServers.Silent server = new LoopbackServers.Silent()) {
            URI url = URI.create("http://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics");
            LoadConfig config = LoopbackServers.config(server.uri(), 5, Duration.ofMillis(100), Duration.ofMillis(300),
                    Duration.ofSeconds(30), Population.Mix.defaults(), false);
            RunReport r = new LoadRun(config, Progress.none(), new PrometheusOriginCounter(url, "rproxy_requests_total"),
                    Map.of()).run("metrics gone at the end");
            assertEquals(2, reads.get());
            assertEquals(5, r.viewers().unfinished(), "the run's own figures are there");
            assertFalse(r.origin().known());
            assertTrue(r.origin().source().contains("unreadable at the end of the run: --origin-metrics " + url + ": HTTP 503"),
                    r.origin().source());
            assertTrue(SummaryTable.render(r).contains("origin requests          unknown (rproxy_requests_total from " + url),
                    SummaryTable.render(r));
        } finally {
            metrics.stop(0);
        }
    }

    /**
     * The origin served 5 requests before the run (a proxy's warm-up, say) and 3 during it: the
     * summary gives the 3 as the run's and says that the 5 before it are not in them.
     */
    @Test
    void theSummaryCountsTheRunAndSaysWhatCameBeforeIt() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        HttpServer metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metrics.createContext("/metrics", ex -> {
            long n = reads.incrementAndGet() == 1 ? 5 : 8;
            byte[] body = ("rproxy_requests_total{method=\"GET\",path=\"/networkmap\",status=\"200\",} " + n + ".0\n")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        metrics.start();
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(LoopbackServers.Scripted.DOCUMENTS)) {
            URI url = URI.create("http://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics");
            LoadConfig config = LoopbackServers.config(server.uri(), 2, Duration.ofMillis(100), Duration.ofSeconds(30),
                    Duration.ofSeconds(30), Population.Mix.defaults(), true);
            RunReport r = new LoadRun(config, Progress.none(), new PrometheusOriginCounter(url, "rproxy_requests_total"),
                    Map.of()).run("warm-up apart");
            String summary = SummaryTable.render(r);
            assertTrue(summary.contains("origin requests          3 during the run (rproxy_requests_total from " + url),
                    summary);
            assertTrue(summary.lines().anyMatch(l -> l.trim().startsWith("before the run") && l.endsWith(
                    " 5: the count when the run began (such as the nodes' warm-up, the harness's fetch of the network map "
                    + "without --maps, earlier runs), in no figure above")), summary);
        } finally {
            metrics.stop(0);
        }
    }

    @Test
    void samplesOfTheMetricAreSummedByPathAndOthersIgnored() {
        String text = """
                # HELP rproxy_requests_total Responses written
                # TYPE rproxy_requests_total counter
                rproxy_requests_total{method="GET",path="/directory",status="200",} 12.0
                rproxy_requests_total{method="GET",path="/directory",status="304",} 3.0
                rproxy_requests_total{method="POST",path="/endpointcost",status="200",} 5.0
                rproxy_requests_totalx{path="/directory"} 99.0
                rproxy_response_bytes_total 1234.0
                """;
        assertEquals(Map.of("/directory", 15L, "/endpointcost", 5L), PrometheusOriginCounter.parse(text, "rproxy_requests_total"));
    }
}

package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.RefusedPort;

class ProberTest {

    /**
     * A node that stalls one answer for a second, among a couple of hundred fast ones, stalled every
     * client that asked meanwhile: a probe asking every 10 ms must show it at the 99th percentile,
     * not as one slow sample among many (coordinated omission).
     */
    @Test
    void aStallShowsAtTheNinetyNinthPercentile() throws Exception {
        AtomicLong answered = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/directory", ex -> {
            try {
                // the node under attack: its fifth answer takes a second. Not a wait for anything:
                // this stall is what the test measures, the probes behind it must show it
                if (answered.incrementAndGet() == 5) {
                    Thread.sleep(1_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/directory");
            Prober prober = new Prober(http, url, Duration.ofMillis(10), Duration.ofSeconds(10), Duration.ofMinutes(1)).start();
            // 200 probes after the stall: it is one answer in two hundred
            Eventually.await("205 probes", Duration.ofSeconds(60), () -> prober.probes() >= 205);
            Histogram h = prober.stop();
            assertEquals(0, prober.failed());
            double p99 = h.getValueAtPercentile(99) / 1000.0;
            assertTrue(p99 >= 500, "p99 " + p99 + " ms over " + prober.probes() + " probes, max "
                    + h.getMaxValue() / 1000.0 + " ms: the stall does not show");
        } finally {
            server.stop(0);
        }
    }

    /** A node that does not answer: every probe fails, and counts as the timeout at least. */
    @Test
    void aProbeWithNoServerFailsAsATimeout() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Prober prober = new Prober(http, URI.create("http://127.0.0.1:" + port + "/directory"), Duration.ofMillis(10),
                    Duration.ofMillis(200), Duration.ofMinutes(1)).start();
            Eventually.await("3 probes", Duration.ofSeconds(30), () -> prober.probes() >= 3);
            Histogram h = prober.stop();
            assertEquals(prober.probes(), prober.failed());
            assertTrue(h.getMaxValue() >= 199_000 && h.getValueAtPercentile(50) >= 50_000,
                    "max " + h.getMaxValue() + " us, p50 " + h.getValueAtPercentile(50) + " us");
        }
    }
}

package org.rproxy.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.junit.jupiter.api.Test;
import org.rproxy.core.config.Address;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.Served;

class AdminServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(AdminServer admin, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPrometheusTextHealthAndReadiness() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RequestMetrics requests = new RequestMetrics(registry);
        requests.onResponse(served("GET", "/directory", 200));
        requests.onResponse(served("GET", "/directory", 200));
        AtomicReference<String> why = new AtomicReference<>("2 resources hold no valid copy");
        try (AdminServer admin = AdminServer.start(new Address("127.0.0.1", 0), registry, why::get)) {
            HttpResponse<String> metrics = get(admin, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(metrics.body().contains("rproxy_requests_total{method=\"GET\",path=\"/directory\",status=\"200\"} 2.0"),
                    metrics.body());
            assertEquals(200, get(admin, "/healthz").statusCode());
            HttpResponse<String> notReady = get(admin, "/readyz");
            assertEquals(503, notReady.statusCode());
            assertTrue(notReady.body().contains("2 resources hold no valid copy"), notReady.body());
            why.set(null);
            assertEquals(200, get(admin, "/readyz").statusCode());
            assertEquals(404, get(admin, "/other").statusCode());
        }
    }

    /**
     * Eight connections pipeline 200 scrapes each while the first scrape is held (a gauge waits
     * on a latch): {@code /readyz} and {@code /healthz} still answer, and only one scrape has run.
     * Before, both waited behind every queued scrape on the one admin thread.
     */
    @Test
    void readinessAnswersWhileScrapesArePiledUp() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicBoolean hold = new AtomicBoolean();
        AtomicInteger scrapes = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Gauge.builder("held_scrape", () -> {
            if (hold.get()) {
                scrapes.incrementAndGet();
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 1;
        }).register(registry);
        hold.set(true);
        int connections = 8;
        int perConnection = 200;
        byte[] pipelined = "GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n".repeat(perConnection)
                .getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        try (AdminServer admin = AdminServer.start(new Address("127.0.0.1", 0), registry, () -> null)) {
            try {
                for (int i = 0; i < connections; i++) {
                    Socket s = new Socket("127.0.0.1", admin.localAddress().getPort());
                    s.setSoTimeout(30_000);
                    sockets.add(s);
                    OutputStream out = s.getOutputStream();
                    out.write(pipelined);
                    out.flush();
                }
                assertTrue(entered.await(10, TimeUnit.SECONDS), "no scrape started");

                HttpRequest.Builder probe = HttpRequest.newBuilder().timeout(Duration.ofSeconds(20)).GET();
                int port = admin.localAddress().getPort();
                assertEquals(200, http.send(probe.uri(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
                assertEquals(200, http.send(probe.uri(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
                assertEquals(1, release.getCount(), "the scrape was still held");
                assertEquals(1, scrapes.get());
            } finally {
                release.countDown();
            }
            for (Socket s : sockets) {
                assertEquals(perConnection, okResponses(s.getInputStream(), perConnection));
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Reads until {@code expected} 200 status lines have come, or the socket times out. */
    private static int okResponses(InputStream in, int expected) throws Exception {
        byte[] status = "HTTP/1.1 200 ".getBytes(StandardCharsets.US_ASCII);
        byte[] buf = new byte[65536];
        int seen = 0;
        int matched = 0;
        while (seen < expected) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                matched = buf[i] == status[matched] ? matched + 1 : (buf[i] == status[0] ? 1 : 0);
                if (matched == status.length) {
                    seen++;
                    matched = 0;
                }
            }
        }
        return seen;
    }

    @Test
    void otherMethodsAre405SayingGetAndHead() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (AdminServer admin = AdminServer.start(new Address("127.0.0.1", 0), registry, () -> null)) {
            for (String method : new String[] {"POST", "PUT", "DELETE"}) {
                HttpResponse<String> r = send(admin, method, "/readyz");
                assertEquals(405, r.statusCode(), method);
                assertEquals("GET, HEAD", r.headers().firstValue("allow").orElse(null), method);
            }
            HttpResponse<String> none = send(admin, "PUT", "/other");
            assertEquals(404, none.statusCode());
            assertTrue(none.headers().firstValue("allow").isEmpty());
        }
    }

    private HttpResponse<String> send(AdminServer admin, String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pathLabelsAreBoundedAndErrorsGoToOther() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RequestMetrics requests = new RequestMetrics(registry);
        for (int i = 0; i < RequestMetrics.MAX_PATHS + 50; i++) {
            requests.onResponse(served("GET", "/p" + i, 200));
            requests.onResponse(served("GET", "/missing" + i, 404));
        }
        long labels = registry.find("rproxy.requests").counters().stream().map(c -> c.getId().getTag("path")).distinct().count();
        assertEquals(RequestMetrics.MAX_PATHS + 1, labels);
        assertEquals(RequestMetrics.MAX_PATHS + 50,
                registry.find("rproxy.requests").tag("path", RequestMetrics.OTHER).tag("status", "404").counter().count());
    }

    @Test
    void aPathIsCountedUnderItsRouteAndAnUnknownMethodAsOther() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RequestMetrics requests = new RequestMetrics(registry);
        for (int i = 0; i < 1_000; i++) {
            requests.onResponse(new Served(null, "HTTP/1.1", "POST", "/updates/control/" + i, "/updates/{control}", 204,
                    0, 1, CacheStatus.NONE, "identity", Dialect.JSON));
            requests.onResponse(served("M" + i, "/directory", 405));
        }
        assertEquals(1_000, registry.find("rproxy.requests").tag("path", "/updates/{control}").counter().count());
        assertEquals(1_000, registry.find("rproxy.requests").tag("method", RequestMetrics.OTHER).counter().count());
        assertEquals(2, registry.find("rproxy.requests").counters().size());
    }

    private static Served served(String method, String path, int status) {
        return new Served(null, "HTTP/1.1", method, path, path, status, 120, 1000, CacheStatus.NONE, "identity",
                Dialect.JSON);
    }
}

package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;

/**
 * A signing front whose unsigned server accepts connections and then stalls: its documents are
 * re-signed on time all the same, since the front reads the server on a thread of its own and
 * re-signing never waits for a read; and a read that stalls is given up at the bound of its
 * poll, so the next poll reads the server again. The server is real (loopback); it stalls by
 * holding each request it is told to until the test lets it go.
 */
class SlowUnsignedServerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** The product's timeout for one request to the unsigned server. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration VALIDITY = Duration.ofSeconds(10);
    private static final String NET = "{\"meta\": {\"vtag\": {\"resource-id\": \"net\", \"tag\": \"n1\"}},"
            + " \"network-map\": {\"P1\": {\"ipv4\": [\"10.0.0.0/8\"]}, \"P2\": {\"ipv4\": [\"0.0.0.0/0\"]}}}";
    private static final String COSTS = "{\"meta\": {\"dependent-vtags\": [{\"resource-id\": \"net\", \"tag\": \"n1\"}],"
            + " \"cost-type\": {\"cost-mode\": \"numerical\", \"cost-metric\": \"routingcost\"}},"
            + " \"cost-map\": {\"P1\": {\"P2\": %d}, \"P2\": {\"P1\": 3}}}";
    private static final String DIRECTORY = "{\"meta\": {}, \"resources\": {"
            + "\"net\": {\"uri\": \"/net\", \"media-type\": \"application/alto-networkmap+json\"},"
            + "\"costs\": {\"uri\": \"/costs\", \"media-type\": \"application/alto-costmap+json\", \"uses\": [\"net\"]}}}";
    private static final Pattern EXPIRES = Pattern.compile(";expires=(\\d+)");

    @TempDir
    Path dir;

    private HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final Map<String, String> docs = new ConcurrentHashMap<>();
    /** The path whose next request the server holds ("*": every request), or null. */
    private final AtomicReference<String> stall = new AtomicReference<>();
    /** Requests held so far. */
    private final AtomicInteger held = new AtomicInteger();
    private final CountDownLatch firstHeld = new CountDownLatch(1);
    /** Lets every held request go (answered then, long after the front gave up on it). */
    private final CountDownLatch release = new CountDownLatch(1);
    private final ServedDocuments served = new ServedDocuments();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String s = stall.get();
            if (s != null && (s.equals("*") || s.equals(path) && stall.compareAndSet(s, null))) {
                held.incrementAndGet();
                firstHeld.countDown();
                try {
                    release.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String body = docs.get(path);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : b.length);
            if (body != null) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        server.start();
        docs.put("/directory", DIRECTORY);
        docs.put("/net", NET);
        docs.put("/costs", String.format(COSTS, 5));
    }

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        server.stop(0);
        handlers.shutdownNow();
        assertTrue(handlers.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the server's handlers still run");
    }

    private Origin front(UnsignedUpstreamMaps source) throws IOException {
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        OriginConfig config = new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), null, key, VALIDITY,
                VALIDITY.dividedBy(2), List.of(), "slow-server-test", null);
        try {
            return Origin.start(config, source, Duration.ofMillis(100), Clock.systemUTC());
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private UnsignedUpstreamMaps source() {
        return UnsignedUpstreamMaps.connect(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/directory"), null, REQUEST_TIMEOUT);
    }

    /** The {@code expires} of the signature {@code r} came with, in epoch seconds. */
    /** A GET through the front, for a condition polled by {@link Eventually}. */
    private HttpResponse<String> fetch(Origin origin, String path) {
        try {
            return served.get(origin, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long expires(HttpResponse<String> r) {
        String input = r.headers().firstValue("signature-input").orElseThrow();
        Matcher m = EXPIRES.matcher(input);
        assertTrue(m.find(), input);
        return Long.parseLong(m.group(1));
    }

    private static String etag(HttpResponse<String> r) {
        return r.headers().firstValue("etag").orElseThrow();
    }

    @Test
    void aHeldDocumentIsReSignedBeforeItExpiresWhileTheServerStallsEveryRead() throws Exception {
        try (UnsignedUpstreamMaps source = source(); Origin origin = front(source)) {
            HttpResponse<String> first = served.get(origin, "/networkmap/net");
            assertEquals(200, first.statusCode());
            long expires = expires(first);
            stall.set("*");
            assertTrue(firstHeld.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the front read nothing more");
            // a poll is now held for up to 30 s; the signatures served expire in at most 10 s
            // nothing to wait on: re-signing happens on its own schedule
            AtomicReference<HttpResponse<String>> latest = new AtomicReference<>(first);
            Eventually.await("re-signed before the signatures served expired (at " + expires + "), while a read of"
                    + " the unsigned server was held", Duration.ofMillis(Math.max(0, expires * 1000 - System.currentTimeMillis())),
                    () -> !etag(latest.updateAndGet(r -> fetch(origin, "/networkmap/net"))).equals(etag(first)));
            HttpResponse<String> now = latest.get();
            assertEquals(200, now.statusCode());
            assertEquals(first.body(), now.body());
            assertTrue(expires(now) > expires, "re-signed, yet expires no later");
        }
    }

    @Test
    void aReadThatStallsIsGivenUpAtTheBoundOfItsPollAndTheNextPollReadsTheServer() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of(Origin.class);
             UnsignedUpstreamMaps source = source().withRoundTimeout(Duration.ofSeconds(1));
             Origin origin = front(source)) {
            assertTrue(served.get(origin, "/costmap/costs").body().contains("\"P2\":5"));
            stall.set("/costs");
            assertTrue(firstHeld.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the front read nothing more");
            logs.awaitMessage("reading the maps took longer than 1s (at GET /costs)", DEADLINE);
            docs.put("/costs", String.format(COSTS, 7));
            // the held request was cancelled at the bound, its connection closed (AbandonedReadTest shows the
            // server sees it go); the next poll waits neither for its answer nor for the client's 30 s timeout
            // nothing to wait on: the front publishes what a poll reads
            Eventually.await("the change read after a stalled poll was given up", DEADLINE,
                    () -> fetch(origin, "/costmap/costs").body().contains("\"P2\":7"));
            assertEquals(1, held.get(), "requests held");
        }
    }
}

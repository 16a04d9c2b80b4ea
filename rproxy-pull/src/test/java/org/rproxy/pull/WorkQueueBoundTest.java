package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.TestSigner;

/**
 * The pull proxy's worker queue is bounded: with every worker thread busy, the upstream answers
 * that arrive for new targets wait only up to the bound, and the requests past it are answered
 * {@code 503} with {@code Retry-After} at once instead of each holding its answer in memory until
 * a thread is free. A client decides how many such answers come (one per distinct target). A
 * query body to hash meanwhile gets {@code 503} too. Answers, and the query bodies forwarded
 * upstream (waiting for a connection), are weighed in bytes as well.
 */
class WorkQueueBoundTest {
    private static final int QUEUE = 4;
    private static final int PAST = 3;

    @TempDir
    Path dir;

    @Test
    void answersPastTheWorkerQueueBoundAreRefusedWith503NotQueued() throws Exception {
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pem"));
        int threads = WorkPool.threads();
        Map<String, Representation> docs = new ConcurrentHashMap<>();
        for (int i = 0; i < threads; i++) {
            docs.put("/doc/" + i, signer.sign("/doc/" + i, "{\"n\":" + i + "}", false, Instant.now(),
                    Duration.ofHours(1), 60));
        }
        CountDownLatch busy = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RawUpstream up = new RawUpstream(documents(docs));
             PullProxy proxy = PullProxy.start(config(up.url(), pub), Clock.systemUTC(), UnaryOperator.identity(), QUEUE)) {
            proxy.refreshNow().get(30, TimeUnit.SECONDS); // the directory's first fetch has ended
            // Each document held holds a worker thread in this listener until released.
            proxy.addChangeListener((target, r) -> {
                if (target.startsWith("/doc/")) {
                    busy.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                holding.add(get(http, proxy, "/doc/" + i));
            }
            try {
                assertTrue(busy.await(30, TimeUnit.SECONDS), "every worker thread is holding a document");
                // Distinct targets: each one more upstream answer to verify while no thread is free.
                LinkedBlockingQueue<HttpResponse<String>> answered = new LinkedBlockingQueue<>();
                List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
                for (int j = 0; j < QUEUE + PAST; j++) {
                    CompletableFuture<HttpResponse<String>> f = get(http, proxy, "/missing/" + j);
                    f.thenAccept(answered::add);
                    more.add(f);
                }
                for (int k = 0; k < PAST; k++) {
                    HttpResponse<String> r = answered.poll(30, TimeUnit.SECONDS);
                    assertTrue(r != null, "only " + k + " of the requests past the queue's bound were answered "
                            + "while the worker threads were busy");
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("1", r.headers().firstValue("retry-after").orElse(null));
                    assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElse(null));
                    assertTrue(!r.body().contains("\"code\"") && r.body().contains("verification"), r.body());
                }
                // a query body to hash finds the queue full too
                HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + "/endpointcost"))
                        .header("content-type", "application/alto-endpointcostparams+json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"endpoints\":{\"srcs\":[],\"dsts\":[]}}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, post.statusCode(), post.body());
                assertEquals("1", post.headers().firstValue("retry-after").orElse(null));
                assertTrue(post.body().contains("too much work waits"), post.body());
                release.countDown();
                for (CompletableFuture<HttpResponse<String>> f : more) {
                    int status = f.get(30, TimeUnit.SECONDS).statusCode();
                    assertTrue(status == 404 || status == 503, "status " + status);
                }
                for (CompletableFuture<HttpResponse<String>> f : holding) {
                    assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
                }
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * The task bound alone would let every answer below it wait, each up to max-body: answers are
     * weighed too. Three answers of 300 KB fit a budget of 1 MB; with every worker thread busy,
     * the rest are answered 503 at once though far fewer tasks than the bound wait, and every byte
     * is given back once the threads are free.
     */
    @Test
    void answersPastTheByteBudgetForVerificationAreRefusedWith503BeforeTheTaskBound() throws Exception {
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pem"));
        int threads = WorkPool.threads();
        int big = 8;
        int fit = 3;
        Map<String, Representation> docs = new ConcurrentHashMap<>();
        for (int i = 0; i < threads; i++) {
            docs.put("/doc/" + i, signer.sign("/doc/" + i, "{\"n\":" + i + "}", false, Instant.now(),
                    Duration.ofHours(1), 60));
        }
        String pad = "x".repeat(300 * 1024);
        for (int j = 0; j < big; j++) {
            docs.put("/big/" + j, signer.sign("/big/" + j, "{\"n\":" + j + ",\"pad\":\"" + pad + "\"}", false,
                    Instant.now(), Duration.ofHours(1), 60));
        }
        ByteSize budget = ByteSize.ofMegabytes(1);
        CountDownLatch busy = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RawUpstream up = new RawUpstream(documents(docs));
             PullProxy proxy = PullProxy.start(withBudget(config(up.url(), pub), budget), Clock.systemUTC())) {
            proxy.refreshNow().get(30, TimeUnit.SECONDS);
            proxy.addChangeListener((target, r) -> {
                if (target.startsWith("/doc/")) {
                    busy.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                holding.add(get(http, proxy, "/doc/" + i));
            }
            try {
                assertTrue(busy.await(30, TimeUnit.SECONDS), "every worker thread is holding a document");
                LinkedBlockingQueue<HttpResponse<String>> answered = new LinkedBlockingQueue<>();
                List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
                for (int j = 0; j < big; j++) {
                    CompletableFuture<HttpResponse<String>> f = get(http, proxy, "/big/" + j);
                    f.thenAccept(answered::add);
                    more.add(f);
                }
                for (int k = 0; k < big - fit; k++) {
                    HttpResponse<String> r = answered.poll(30, TimeUnit.SECONDS);
                    assertTrue(r != null, "only " + k + " of the " + (big - fit) + " answers past the byte budget were"
                            + " refused while the worker threads were busy (" + big + " tasks wait, far below the bound)");
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("1", r.headers().firstValue("retry-after").orElse(null));
                    assertTrue(!r.body().contains("\"code\"") && r.body().contains("verification")
                            && r.body().contains("upstream.max-unverified-bytes"), r.body());
                }
                assertTrue(unverifiedBytes(proxy) <= budget.bytes(), "held " + unverifiedBytes(proxy));
                release.countDown();
                int ok = 0;
                for (CompletableFuture<HttpResponse<String>> f : more) {
                    int status = f.get(30, TimeUnit.SECONDS).statusCode();
                    assertTrue(status == 200 || status == 503, "status " + status);
                    ok += status == 200 ? 1 : 0;
                }
                assertEquals(fit, ok, "the answers within the budget were verified and served");
                for (CompletableFuture<HttpResponse<String>> f : holding) {
                    assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
                }
                assertEquals(0.0, unverifiedBytes(proxy), "every byte weighed is given back");
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * A forwarded query's body is held from the start of its exchange until the answer comes: with
     * the one connection to the upstream taken (the directory's fetch, which the upstream never
     * answers), every query waits for it, each holding its body. Those bodies are weighed in the
     * same budget as the answers: three of 300 KB fit a budget of 1 MB, and the rest are answered
     * 503 with Retry-After and an ALTO error at once, not left to wait for the connection (until
     * the upstream timeout, a minute here) holding their bodies.
     */
    @Test
    void queryBodiesWaitingForAnUpstreamConnectionPastTheByteBudgetAreRefusedWith503() throws Exception {
        Path pub = new TestSigner().writePublic(dir.resolve("origin.pem"));
        ByteSize budget = ByteSize.ofMegabytes(1);
        int queries = 7;
        int fit = 3;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RawUpstream up = new RawUpstream(RawUpstream.STALL);
             PullProxy proxy = PullProxy.start(oneConnection(withBudget(config(up.url(), pub), budget),
                     Duration.ofMinutes(1)), Clock.systemUTC())) {
            String pad = "x".repeat(300 * 1024);
            LinkedBlockingQueue<HttpResponse<String>> answered = new LinkedBlockingQueue<>();
            for (int j = 0; j < queries; j++) {
                String body = "{\"endpoints\":{\"srcs\":[\"ipv4:10.0.0." + j + "\"],\"dsts\":[]},\"pad\":\"" + pad + "\"}";
                http.sendAsync(HttpRequest.newBuilder(URI.create(proxy.baseUri() + "/endpointcost"))
                        .header("content-type", "application/alto-endpointcostparams+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                        .thenAccept(answered::add);
            }
            for (int k = 0; k < queries - fit; k++) {
                HttpResponse<String> r = answered.poll(30, TimeUnit.SECONDS);
                assertTrue(r != null, "only " + k + " of the " + (queries - fit) + " queries past the byte budget were"
                        + " refused while every query waited for the upstream's one connection");
                assertEquals(503, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("retry-after").orElse(null));
                assertTrue(!r.body().contains("\"code\"") && r.body().contains("query bodies wait")
                        && r.body().contains("upstream.max-unverified-bytes"), r.body());
            }
            assertTrue(unverifiedBytes(proxy) > 2 * pad.length() && unverifiedBytes(proxy) <= budget.bytes(),
                    "held " + unverifiedBytes(proxy));
            assertTrue(answered.isEmpty(), "a query within the budget was answered: " + answered.peek());
        }
    }

    /** {@code config} with one connection to the upstream, and answers awaited for {@code timeout}. */
    private static ProxyConfig oneConnection(ProxyConfig config, Duration timeout) {
        UpstreamConfig u = config.upstream();
        return config.withUpstream(new UpstreamConfig(u.url(), u.trust(), u.ca(), 1, u.connectTimeout(), timeout,
                u.maxBody(), u.prefetch(), u.urls(), u.healthCheck(), u.maxUnverifiedBytes()));
    }

    private static double unverifiedBytes(PullProxy proxy) {
        return proxy.registry().get("rproxy.upstream.unverified.bytes").gauge().value();
    }

    /** {@code config} with answers of at most {@code budget}, and at most {@code budget} of them waiting for verification. */
    private static ProxyConfig withBudget(ProxyConfig config, ByteSize budget) {
        return config.withUpstream(config.upstream().withMaxBody(budget).withMaxUnverifiedBytes(budget));
    }

    private static CompletableFuture<HttpResponse<String>> get(HttpClient http, PullProxy proxy, String target) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(proxy.baseUri() + target)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The signed documents in {@code docs} as identity answers, a 404 with an ALTO error for anything else. */
    private static RawUpstream.Answer documents(Map<String, Representation> docs) {
        return (head, socket) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            Representation r = docs.get(target);
            if (r == null) {
                RawUpstream.respond(404, List.of("content-type: application/alto-error+json"),
                        "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"uri\"}}".getBytes(StandardCharsets.UTF_8))
                        .answer(head, socket);
                return;
            }
            List<String> headers = new ArrayList<>();
            for (HeaderField h : r.identity().headers()) {
                headers.add(h.name() + ": " + h.value());
            }
            headers.add("cache-control: max-age=60");
            RawUpstream.respond(200, headers, r.identity().body().toArray()).answer(head, socket);
        };
    }

    private static ProxyConfig config(String upstream, Path pub) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofSeconds(20)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
    }
}

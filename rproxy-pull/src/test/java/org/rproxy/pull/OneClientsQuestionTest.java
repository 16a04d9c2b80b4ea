package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * The answer a pull proxy gets from its upstream for a key is every client's (the requests that
 * wait for the attempt, and those the proxy answers from what it remembers of it after), so what
 * it asks upstream is the key's question, never the first requester's: one client's odd
 * {@code Accept}, or a query body its upstream refuses in that client's spelling, fails at most
 * that client. Real sockets: a proxy in front of a loopback upstream that negotiates as some
 * servers do, and the JDK's HTTP client.
 */
class OneClientsQuestionTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final TestSigner ORIGIN = new TestSigner();
    private static final String MAP = FeedFixture.MAP;
    private static final String QUERY = "/endpointprop/lookup";
    private static final String QUERY_TYPE = "application/alto-endpointpropparams+json";
    private static final String QUERY_BODY = "{\"endpoints\":[\"ipv4:192.0.2.1\"],\"properties\":[\"my-map.pid\"]}";
    /** The largest request body the upstream takes: far less than the proxy's own. */
    private static final int UPSTREAM_MAX_BODY = 1024;

    @TempDir
    Path dir;

    /** The request heads the upstream received. */
    private final List<String> asked = new CopyOnWriteArrayList<>();

    /**
     * A client asking for a document with {@code Accept: text/html}, which the upstream answers
     * with a page of its own (unsigned, so refused here), must not make the proxy answer the next
     * client the refusal it remembers for the retry pause.
     */
    @Test
    void aClientsAcceptIsNotWhatTheUpstreamIsAsked() throws Exception {
        try (RawUpstream up = new RawUpstream(this::negotiating);
             PullProxy proxy = PullProxy.start(config(up.url()), new MutableClock(NOW), UnaryOperator.identity())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> odd = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + MAP))
                    .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + MAP)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, next.statusCode(), "the next client: " + next.body());
            assertEquals(FeedFixture.MAP_BODY, next.body());
            assertEquals(200, odd.statusCode(), "the document, as the origin itself answers any Accept: " + odd.body());
            assertFalse(asked.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).contains("\naccept:")),
                    "no client's Accept went upstream: " + asked);
        }
    }

    /**
     * Two clients asking one query at once, one of them with its body padded past what the
     * upstream takes (whitespace: the same JSON, so the same key): the upstream is asked once,
     * with the body in the form the key is made of, and both get the answer.
     */
    @Test
    void aQueryIsForwardedInTheFormItIsKeyedOnWhoeverAskedFirst() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (RawUpstream up = new RawUpstream((head, s) -> {
                if (head.startsWith("POST ")) {
                    arrived.countDown();
                    release.join();
                }
                negotiating(head, s);
            });
             PullProxy proxy = PullProxy.start(config(up.url()), new MutableClock(NOW), UnaryOperator.identity())) {
            HttpClient http = HttpClient.newHttpClient();
            String padded = QUERY_BODY.replace(",", ",".concat(" ".repeat(2 * UPSTREAM_MAX_BODY)));
            CompletableFuture<HttpResponse<String>> first = http.sendAsync(post(proxy, padded),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(arrived.await(20, TimeUnit.SECONDS), "the first query reached the upstream");
            CompletableFuture<HttpResponse<String>> second = http.sendAsync(post(proxy, QUERY_BODY),
                    HttpResponse.BodyHandlers.ofString());
            Eventually.await("the second query waits for the first's attempt", Duration.ofSeconds(20),
                    () -> proxy.registry().counter("rproxy.cache.coalesced.waits").count() == 1);
            release.complete(null);
            HttpResponse<String> b = second.get(20, TimeUnit.SECONDS);
            assertEquals(200, b.statusCode(), "the compact query: " + b.body());
            HttpResponse<String> a = first.get(20, TimeUnit.SECONDS);
            assertEquals(200, a.statusCode(), "the padded one, the same question: " + a.body());
            assertEquals(1, asked.stream().filter(h -> h.startsWith("POST ")).count(), "one upstream request: " + asked);
        }
    }

    private static HttpRequest post(PullProxy proxy, String body) {
        return HttpRequest.newBuilder(URI.create(proxy.baseUri() + QUERY)).header("Content-Type", QUERY_TYPE)
                .header("Accept", "application/alto-endpointprop+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * An upstream that serves {@link #MAP} signed, but a page of its own to a client asking for
     * HTML; answers a query whose body it takes, and refuses one over {@link #UPSTREAM_MAX_BODY}
     * with 413; and has nothing else.
     */
    private void negotiating(String head, java.net.Socket s) throws IOException {
        asked.add(head);
        String lower = head.toLowerCase(Locale.ROOT);
        if (head.startsWith("POST ")) {
            int length = Integer.parseInt(header(lower, "content-length"));
            byte[] body = readBody(s.getInputStream(), length);
            if (length > UPSTREAM_MAX_BODY) {
                RawUpstream.respond(413, List.of("content-type: application/alto-error+json"), ("{\"meta\":{\"code\":"
                        + "\"E_INVALID_FIELD_VALUE\",\"message\":\"body over 1024 bytes\"}}").getBytes(StandardCharsets.UTF_8))
                        .answer(head, s);
                return;
            }
            String canonical = new String(body, StandardCharsets.UTF_8);
            RawUpstream.respond(200, List.of("content-type: application/alto-endpointprop+json", "cache-control: max-age=60"),
                    ("{\"endpoint-properties\":{},\"asked\":" + canonical + "}").getBytes(StandardCharsets.UTF_8))
                    .answer(head, s);
            return;
        }
        if (head.startsWith("GET " + MAP + " ")) {
            if (lower.contains("\naccept: text/html")) {
                RawUpstream.respond(200, List.of("content-type: text/html"),
                        "<html><body>a network map</body></html>".getBytes(StandardCharsets.UTF_8)).answer(head, s);
                return;
            }
            Variant v = ORIGIN.sign(MAP, FeedFixture.MAP_BODY, false, NOW, Duration.ofHours(1), 60).identity();
            RawUpstream.respond(200, v.headers().stream().map(h -> h.name() + ": " + h.value()).toList(),
                    v.body().unsafeArray()).answer(head, s);
            return;
        }
        RawUpstream.respond(404, List.of("content-type: application/alto-error+json"),
                "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"uri\"}}".getBytes(StandardCharsets.UTF_8))
                .answer(head, s);
    }

    private static String header(String lowerHead, String name) {
        int at = lowerHead.indexOf("\n" + name + ":");
        int end = lowerHead.indexOf('\r', at);
        return lowerHead.substring(at + name.length() + 2, end).trim();
    }

    private static byte[] readBody(InputStream in, int length) throws IOException {
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("body cut at " + body.length + " of " + length);
        }
        return body;
    }

    private ProxyConfig config(String upstream) throws IOException {
        Path pub = ORIGIN.writePublic(dir.resolve("origin.pem"));
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofSeconds(20)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null, null, ProxyConfig.Queries.UPSTREAM, null);
    }
}

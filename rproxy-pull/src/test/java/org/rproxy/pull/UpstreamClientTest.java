package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** The upstream client against the real front end on a loopback port. */
class UpstreamClientTest {
    private final AtomicInteger requests = new AtomicInteger();
    private volatile CompletableFuture<Reply> answer;
    private AltoHttpServer server;
    private UpstreamClient client;

    @BeforeEach
    void start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), request -> {
            requests.incrementAndGet();
            if (answer != null) {
                return answer;
            }
            Instant now = Instant.now();
            byte[] body = request.method().equals("POST") ? request.body().toArray()
                    : ("hello " + request.rawTarget()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Variant v = new Variant(Bytes.wrap(body), null, List.of(new HeaderField("content-type", "text/plain"),
                    new HeaderField("etag", "\"v1\"")));
            return CompletableFuture.completedFuture(Reply.ok(new Representation(v, null, 60, now, now.plusSeconds(3600))));
        });
        client = client(server.localAddress().getPort(), Duration.ofSeconds(5), 1 << 20);
    }

    private static UpstreamClient client(int port, Duration timeout, int maxBody) {
        return UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", port, null, 2, Duration.ofSeconds(2),
                timeout, maxBody, 1));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void getsTheResponseWithItsHeadersAndBody() throws Exception {
        UpstreamResponse r = client.send(UpstreamRequest.get("/a?b=c", List.of())).get(5, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("hello /a?b=c", r.body().asUtf8());
        assertEquals("\"v1\"", r.header("etag"));
        assertTrue(r.header("cache-control").startsWith("max-age=60, no-transform, stale-while-revalidate=60"),
                r.header("cache-control"));
    }

    @Test
    void postsTheBody() throws Exception {
        UpstreamRequest post = new UpstreamRequest("POST", "/q", List.of(new HeaderField("content-type", "application/json")),
                Bytes.utf8("{\"x\":1}"));
        assertEquals("{\"x\":1}", client.send(post).get(5, TimeUnit.SECONDS).body().asUtf8());
    }

    @Test
    void answersA304WithoutBody() throws Exception {
        UpstreamResponse r = client.send(UpstreamRequest.get("/a", List.of(new HeaderField("if-none-match", "\"v1\""))))
                .get(5, TimeUnit.SECONDS);
        assertEquals(304, r.status());
        assertEquals(0, r.body().length());
    }

    @Test
    void manyRequestsShareTheFewPooledConnections() throws Exception {
        List<CompletableFuture<UpstreamResponse>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(client.send(UpstreamRequest.get("/r" + i, List.of())));
        }
        for (int i = 0; i < 100; i++) {
            assertEquals("hello /r" + i, all.get(i).get(5, TimeUnit.SECONDS).body().asUtf8());
        }
        assertEquals(100, requests.get());
    }

    @Test
    void aSlowUpstreamTimesOutAndTheNextRequestWorks() throws Exception {
        client.close();
        client = client(server.localAddress().getPort(), Duration.ofMillis(300), 1 << 20);
        answer = new CompletableFuture<>();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.send(UpstreamRequest.get("/slow", List.of())).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("no answer within 300 ms"), e.getCause().getMessage());
        answer = null;
        assertEquals(200, client.send(UpstreamRequest.get("/a", List.of())).get(5, TimeUnit.SECONDS).status());
    }

    @Test
    void aRefusedConnectionFailsTheRequest() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (UpstreamClient nowhere = client(port, Duration.ofSeconds(2), 1 << 20)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> nowhere.send(UpstreamRequest.get("/a", List.of())).get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof UpstreamException, e.toString());
        }
    }

    @Test
    void anOversizedBodyIsRefused() throws Exception {
        client.close();
        client = client(server.localAddress().getPort(), Duration.ofSeconds(5), 16);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.send(UpstreamRequest.get("/long-enough-to-exceed", List.of())).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof UpstreamException, e.toString());
    }

    @Test
    void aClosedClientRefusesRequests() {
        client.close();
        assertThrows(ExecutionException.class, () -> client.send(UpstreamRequest.get("/a", List.of())).get());
    }
}

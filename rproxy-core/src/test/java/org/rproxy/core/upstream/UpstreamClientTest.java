package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.RefusedPort;

/** The upstream client against the real front end on a loopback port. */
class UpstreamClientTest {
    private final AtomicInteger requests = new AtomicInteger();
    private volatile CompletableFuture<Reply> answer;
    /** Every held answer the server handed out, so that {@link #stop} can end the requests still waiting on one. */
    private final List<CompletableFuture<Reply>> held = new CopyOnWriteArrayList<>();
    private AltoHttpServer server;
    private UpstreamClient client;

    @BeforeEach
    void start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), request -> {
            requests.incrementAndGet();
            CompletableFuture<Reply> given = answer;
            if (given != null) {
                held.add(given);
                return given;
            }
            Instant now = Instant.now();
            byte[] body = request.method().equals("POST") ? request.body().toArray()
                    : ("hello " + request.target()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
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

    /**
     * Ends the requests a test left stalled before closing the server, which otherwise waits up
     * to its five-second drain for them to be answered (a client that closed may still read).
     */
    @AfterEach
    void stop() {
        client.close();
        held.forEach(f -> f.complete(Reply.error(org.rproxy.core.model.AltoError.syntax("test over"),
                org.rproxy.core.server.Dialect.JSON)));
        server.close();
    }

    @Test
    void getsTheResponseWithItsHeadersAndBody() throws Exception {
        UpstreamResponse r = client.send(UpstreamRequest.get("/a?b=c", List.of())).get(5, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("hello /a?b=c", r.body().asUtf8());
        assertEquals("127.0.0.1:" + server.localAddress().getPort(), r.upstream(), "names the upstream it came from");
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
        assertEquals(UpstreamException.Kind.TIMED_OUT, ((UpstreamException) e.getCause()).kind());
        answer = null;
        assertEquals(200, client.send(UpstreamRequest.get("/a", List.of())).get(5, TimeUnit.SECONDS).status());
    }

    @Test
    void aRefusedConnectionFailsTheRequest() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            try (UpstreamClient nowhere = client(port, Duration.ofSeconds(2), 1 << 20)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> nowhere.send(UpstreamRequest.get("/a", List.of())).get(5, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof UpstreamException, e.toString());
                assertEquals(UpstreamException.Kind.UNREACHABLE, ((UpstreamException) e.getCause()).kind());
                // in the words the rest of the node uses, not Netty's "Connection refused: host/127.0.0.1:port"
                assertEquals("cannot connect to 127.0.0.1:" + port + ": connection refused", e.getCause().getMessage());
            }
        }
    }

    /**
     * The timeout bounds the whole wait, the wait for a busy connection included: a request queued
     * behind a slow one on the only connection, then stalled, fails one timeout after it was sent,
     * not after the wait plus a timeout of its own (which was how a query got its 504 after 20 s).
     */
    @Test
    void theWaitForABusyConnectionCountsAgainstTheTimeout() throws Exception {
        client.close();
        client = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", server.localAddress().getPort(), null, 1,
                Duration.ofSeconds(2), Duration.ofSeconds(3), 1 << 20, 1));
        CompletableFuture<Reply> stalled = new CompletableFuture<>();
        answer = stalled;
        CompletableFuture<UpstreamResponse> first = client.send(UpstreamRequest.get("/first", List.of()));
        long sent = System.nanoTime();
        CompletableFuture<UpstreamResponse> second = client.send(UpstreamRequest.get("/second", List.of()));
        // The first is answered after 2 s, so the second gets the connection with 1 s of its 3 s left.
        CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS).execute(() -> {
            answer = new CompletableFuture<>();
            stalled.complete(Reply.error(org.rproxy.core.model.AltoError.syntax("late"),
                    org.rproxy.core.server.Dialect.JSON));
        });
        assertEquals(400, first.get(10, TimeUnit.SECONDS).status());
        ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertEquals(UpstreamException.Kind.TIMED_OUT, ((UpstreamException) e.getCause()).kind(), e.toString());
        // 3 s when bounded, 5 s when the exchange's clock restarts at the connection; the margin is for load.
        assertTrue(waited < 4_500, "failed after " + waited + " ms");
        assertEquals(2, requests.get(), "the second request was sent and stalled");
    }

    /**
     * The queue of requests waiting for a busy connection holds what the connections could get
     * through within the timeout (at 10 ms an answer), not 100,000 whatever the settings: with one
     * connection and a 2 s timeout, 200 wait, and the next is refused at once as busy (before, it
     * waited out its timeout too, holding its request).
     */
    @Test
    void requestsPastWhatTheConnectionsGetThroughInTheTimeoutAreRefusedAtOnce() throws Exception {
        client.close();
        client = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", server.localAddress().getPort(), null, 1,
                Duration.ofSeconds(2), Duration.ofSeconds(2), 1 << 20, 1));
        int queue = ConnectionWait.maxPendingAcquires(1, Duration.ofSeconds(2));
        assertEquals(200, queue);
        answer = new CompletableFuture<>(); // every request is held unanswered: the one connection stays busy
        // The pool takes the requests on its event loop in the order sent: the first gets the
        // connection, the next 200 wait for it.
        client.send(UpstreamRequest.get("/first", List.of()));
        for (int i = 0; i < queue; i++) {
            client.send(UpstreamRequest.get("/waiting/" + i, List.of()));
        }
        CompletableFuture<UpstreamResponse> oneMore = client.send(UpstreamRequest.get("/one-more", List.of()));
        ExecutionException e = assertThrows(ExecutionException.class, () -> oneMore.get(10, TimeUnit.SECONDS));
        UpstreamException u = (UpstreamException) e.getCause();
        assertEquals(UpstreamException.Kind.BUSY, u.kind(), u.toString());
        assertEquals("200 requests already wait for a connection to 127.0.0.1:" + server.localAddress().getPort(),
                u.getMessage(), "refused at once, not after waiting out the timeout");
    }

    /**
     * A cancelled request gives its connection up at once: one under way has it closed and left
     * out of the pool, one still waiting for it never takes it. With one connection and a 30 s
     * timeout, a request held unanswered and one queued behind it, both cancelled, leave the
     * connection to the next request, which the server answers (before, the held one kept the
     * connection until its 30 s were out and the queued one was still sent).
     */
    @Test
    void aCancelledRequestGivesUpItsConnectionAtOnce() throws Exception {
        client.close();
        client = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", server.localAddress().getPort(), null, 1,
                Duration.ofSeconds(2), Duration.ofSeconds(30), 1 << 20, 1));
        answer = new CompletableFuture<>(); // held: the one connection stays busy
        CompletableFuture<UpstreamResponse> underWay = client.send(UpstreamRequest.get("/held", List.of()));
        Eventually.await("the first request reached the server", Duration.ofSeconds(10), () -> requests.get() == 1);
        CompletableFuture<UpstreamResponse> queued = client.send(UpstreamRequest.get("/queued", List.of()));
        answer = null;
        assertTrue(queued.cancel(false));
        assertTrue(underWay.cancel(false));
        assertThrows(CancellationException.class, underWay::join);
        UpstreamResponse next = client.send(UpstreamRequest.get("/next", List.of())).get(10, TimeUnit.SECONDS);
        assertEquals("hello /next", next.body().asUtf8());
        assertEquals(2, requests.get(), "the held request and the next one reached the server, the queued one not");
    }

    @Test
    void theQueueForAConnectionIsWhatTheConnectionsGetThroughInTheTimeout() {
        assertEquals(8_000, ConnectionWait.maxPendingAcquires(8, Duration.ofSeconds(10)), "the defaults");
        assertEquals(1, ConnectionWait.maxPendingAcquires(1, Duration.ofMillis(1)), "at least one per connection");
        assertEquals(100_000, ConnectionWait.maxPendingAcquires(64, Duration.ofDays(365)), "at most 100,000");
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

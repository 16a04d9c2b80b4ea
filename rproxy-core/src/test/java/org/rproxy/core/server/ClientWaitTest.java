package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.testing.Eventually;

/**
 * Work queued for a request is skipped once its client has left ({@link ClientWait}), over real
 * sockets: a query pool of one thread held busy, queries queued behind it, their clients gone
 * (HTTP/2 streams reset; an HTTP/1.1 connection reset is AbandonedQueriesIT's), then the pool let go. None of the work
 * runs, each is counted skipped, and the connection's other streams are still answered.
 */
class ClientWaitTest {

    private static final byte[] QUERY = "{\"q\":1}".getBytes(StandardCharsets.UTF_8);

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final CountDownLatch busy = new CountDownLatch(1);
    private final AtomicInteger computed = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private AltoHttpServer server;

    /** GET answered at once; POST computed on {@link #pool} unless its client is gone by then. */
    private final AltoService service = request -> {
        if (request.method().equals("GET")) {
            return CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip()));
        }
        queued.incrementAndGet();
        return CompletableFuture.supplyAsync(request.clientWait().unlessGone(() -> {
            computed.incrementAndGet();
            return Reply.ok(Fixtures.withGzip());
        }), pool);
    };

    @BeforeEach
    void start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), service, RequestObserver.noop(),
                EmbeddedFrontEnd.CLOCK);
        pool.execute(() -> {
            try {
                busy.await(); // the pool's one thread, taken until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        busy.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        if (server != null) {
            server.close();
        }
    }

    /** Waits until every task submitted to {@link #pool} so far has run. */
    private void poolWorkedThrough() throws Exception {
        pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void queriesOfHttp2StreamsResetRightBehindTheirRequestsAreSkipped() throws Exception {
        int n = 30;
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
        try (RawHttp2Client c = new RawHttp2Client(address).startReading()) {
            for (int i = 0; i < n; i++) {
                int stream = 1 + 2 * i;
                c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream,
                        RawHttp2Client.requestHead("POST", "/q", "content-type", "application/json",
                                "content-length", Integer.toString(QUERY.length)));
                c.frame(RawHttp2Client.DATA, RawHttp2Client.END_STREAM, stream, QUERY);
                c.rstStream(stream, 0x8); // CANCEL, in the same write as the request
            }
            c.flush();
            assertTrue(c.sync(), "the server read the requests and the resets");
            Eventually.await("the queries handed to the service", Duration.ofSeconds(10), () -> queued.get() == n);
            busy.countDown();
            poolWorkedThrough();
            assertEquals(0, computed.get(), "queries computed after their streams were reset");
            assertEquals(n, server.queriesSkipped());
            c.get(1 + 2 * n, "/doc", true);
            assertEquals("200", c.awaitStatus(1 + 2 * n), "the connection's next stream is answered");
        }
    }

    @Test
    void aStreamResetDoesNotSkipTheOtherStreamsOfItsConnection() throws Exception {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
        try (RawHttp2Client c = new RawHttp2Client(address).startReading()) {
            c.post(1, "/q", "application/json", QUERY);
            c.post(3, "/q", "application/json", QUERY);
            c.rstStream(1, 0x8);
            c.flush();
            assertTrue(c.sync());
            Eventually.await("both queries handed to the service", Duration.ofSeconds(10), () -> queued.get() == 2);
            busy.countDown();
            assertEquals("200", c.awaitStatus(3));
            poolWorkedThrough();
            assertEquals(1, computed.get());
            assertEquals(1, server.queriesSkipped());
        }
    }
}

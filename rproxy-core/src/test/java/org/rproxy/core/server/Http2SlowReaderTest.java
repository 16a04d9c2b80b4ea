package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http2.Http2Settings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * A large answer on an HTTP/2 stream to a client that reads it slowly, through a small
 * flow-control window: a client whose reads keep the bytes moving gets all of them and keeps its
 * connection, however many idle timeouts the whole takes; one that stops reading has its stream
 * reset after one timeout (its data no longer queued for a window that never opens), and the
 * connection's other streams go on. Real sockets and Netty's
 * HTTP/2 client.
 */
class Http2SlowReaderTest {

    // Long enough that a loaded machine's scheduling gaps never read as a stalled reader.
    private static final Duration TIMEOUT = Duration.ofMillis(1000);
    /** The client's stream window: the server sends no more than this until the client reads. */
    private static final int WINDOW = 16 * 1024;
    private static final int SIZE = 1024 * 1024;

    private final byte[] body = new byte[SIZE];
    private AltoHttpServer server;
    private Http2TestClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start() {
        start(WINDOW);
    }

    private void start(int window) {
        for (int i = 0; i < SIZE; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        Representation doc = new Representation(new Variant(Bytes.wrap(body), null,
                List.of(new HeaderField("content-type", "application/octet-stream"), new HeaderField("etag", "\"big\""))),
                null, 60, Instant.now(), Instant.now().plus(Duration.ofHours(1)));
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT),
                request -> CompletableFuture.completedFuture(Reply.ok(doc)));
        client = new Http2TestClient(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), null,
                Http2Settings.defaultSettings().initialWindowSize(window));
    }

    @Test
    void aClientThatReadsSlowerThanOneTimeoutAllowsForTheWholeBodyGetsItAll() throws Exception {
        start();
        Http2TestClient.Call call = client.openPaused("/big");
        // a window's worth every 150 ms: 64 windows, about 10 s, ten idle timeouts (before the fix
        // the connection was cut after two timeouts and the codec's 5 s grace)
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(60);
        while (!call.done.isDone() && System.nanoTime() < deadline) {
            call.stream.eventLoop().execute(call.stream::read);
            Thread.sleep(150);
        }
        assertArrayEquals(body, call.bytes(), "every byte, in order");
        assertEquals(200, call.status());
        assertTrue(System.nanoTime() - start > TIMEOUT.toNanos() * 4, "slower than the timeout allows for the whole");
        assertTrue(client.channel().isActive(), "the connection stays");
        assertFalse(client.goAway().isDone(), "no GOAWAY while the client reads");
    }

    @Test
    void aStreamWhoseClientStopsReadingIsResetAndTheConnectionGoesOn() throws Exception {
        start();
        Http2TestClient.Call stalled = client.openPaused("/big");
        Http2TestClient.Call reading = client.openPaused("/big");
        // the one reads slowly through several timeouts, the other never reads past its first window
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!reading.done.isDone() && System.nanoTime() < deadline) {
            reading.stream.eventLoop().execute(reading.stream::read);
            Thread.sleep(50);
        }
        assertArrayEquals(body, reading.bytes(), "the stream that reads is served in full");
        stalled.stream.eventLoop().execute(stalled.stream::read); // takes in what is queued, the reset with it
        ExecutionException e = assertThrows(ExecutionException.class, () -> stalled.done.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, "reset, not completed: " + e.getCause());
        assertTrue(stalled.received < SIZE, "the stalled stream got " + stalled.received + " bytes");
        assertTrue(client.channel().isActive(), "the connection stays");
    }

    @Test
    void aConnectionHoldsNoMoreLargeAnswersUnsentThanTheInFlightLimit() throws Exception {
        // a window that never opens: every large answer written would stay queued on the connection
        start(0);
        List<Http2TestClient.Call> calls = new ArrayList<>();
        for (int i = 0; i < ExchangeHandler.MAX_IN_FLIGHT + 8; i++) {
            calls.add(client.openPaused("/big"));
        }
        int refused = 0;
        for (Http2TestClient.Call c : calls) {
            c.stream.eventLoop().execute(c.stream::read); // takes in the head (no data comes: the window is shut)
            refused += c.status() == 503 ? 1 : 0; // heads are not flow-controlled
        }
        assertEquals(8, refused, "the answers beyond the limit are refused, not held");
    }
}

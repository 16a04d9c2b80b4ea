package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.Eventually;

/**
 * A large answer the transport copies (here a body on the heap, as a computed answer is) goes out
 * on an HTTP/2 stream in parts under the server's bound on pending answer bytes, as it does on
 * HTTP/1.1: with the bound at one part, a second part waits for the first to reach the socket
 * (counted as a wait), both streams get every byte in order, and the bound is given back. A stop
 * while such an answer is still going out in parts ends the stream after its last part, not with
 * a reset. Real sockets and Netty's HTTP/2 client, cleartext.
 */
class Http2AnswerPartsTest {

    private static final int SIZE = 1024 * 1024;
    /** The least bound there is: one part. */
    private static final long BOUND = BodyPump.PART_BYTES;

    private final byte[] body = Fixtures.alphabet(SIZE);
    private final ExecutorService closer = Executors.newSingleThreadExecutor();
    @AutoClose
    private Http2FrontEnd h2;

    @AfterEach
    void stop() {
        closer.shutdownNow();
    }

    /** The body served with no direct copy: the transport would copy it into direct memory for the response. */
    private void start() {
        Representation doc = Fixtures.octetStream(body, "\"big\"");
        h2 = Http2FrontEnd.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxPendingSendBytes(BOUND),
                request -> CompletableFuture.completedFuture(Reply.ok(doc)));
    }

    @Test
    void largeAnswersGoOutInPartsWithinTheBoundAndArriveWhole() throws Exception {
        start();
        Http2TestClient.Call one = h2.client.open("GET", "/big", null);
        Http2TestClient.Call two = h2.client.open("GET", "/big", null);
        assertArrayEquals(body, one.bytes(), "every byte, in order");
        assertArrayEquals(body, two.bytes(), "every byte, in order");
        assertTrue(h2.server.sendsDeferred() > 0, "a part waited for the bound");
        Eventually.await("the bound given back", Duration.ofSeconds(10), () -> h2.server.pendingSendBytes() == 0);
    }

    @Test
    void aStopWhileAnAnswerGoesOutInPartsEndsItsStreamAfterTheLastPart() throws Exception {
        start();
        // reads nothing: the server sends a window's worth, and the rest waits in parts
        Http2TestClient.Call call = h2.client.openPaused("/big");
        Eventually.await("a part handed on", Duration.ofSeconds(10), () -> h2.server.pendingSendBytes() > 0);
        Future<?> closing = closer.submit(h2.server::close);
        h2.client.goAway().get(Http2TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS); // the stream has been told of the stop
        call.stream.eventLoop().execute(() -> {
            call.stream.config().setAutoRead(true);
            call.stream.read();
        });
        assertArrayEquals(body, call.bytes(), "the whole answer, ended by END_STREAM");
        assertFalse(call.reset.isDone(), "not reset");
        assertEquals(200, call.status());
        closing.get(10, TimeUnit.SECONDS);
    }
}

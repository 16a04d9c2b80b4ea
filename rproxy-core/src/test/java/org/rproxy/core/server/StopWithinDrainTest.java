package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stop ends within the drain: an HTTP/2 connection whose stream is still being answered when
 * {@code drain-timeout} runs out is cut then. It used to be asked to close again, gracefully, which
 * the HTTP/2 codec answers by waiting for its streams once more, for its own grace (set to the
 * drain too): the stop took the drain and then up to another drain (at most the 5 s of its next
 * step), so a stop with a 6 s drain took 11 s, past what an operator set and nearer the service
 * manager's kill. The bound asserted leaves 4 s over the drain for the steps that follow it (the
 * event loops' end), far more than they take.
 */
class StopWithinDrainTest {

    private static final Duration DRAIN = Duration.ofSeconds(6);
    private static final Duration OVER = Duration.ofSeconds(4);

    private final CountDownLatch asked = new CountDownLatch(1);
    /** An answer that never comes: the stream is in progress for the whole drain. */
    private final AltoService never = request -> {
        asked.countDown();
        return new CompletableFuture<>();
    };
    private AltoHttpServer server;
    private Http2TestClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    @Test
    void anHttp2StreamStillAnsweredIsCutAtTheDrainsEnd() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withDrainTimeout(DRAIN), never);
        client = new Http2TestClient(server.localAddress(), null);
        Http2TestClient.Call call = client.open("GET", "/networkmap", null);
        assertTrue(asked.await(Http2TestClient.WAIT.toSeconds(), TimeUnit.SECONDS), "the request reached the service");

        long start = System.nanoTime();
        server.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(took.compareTo(DRAIN.plus(OVER)) < 0, "the stop took " + took.toMillis() + " ms with a drain of " + DRAIN);
        assertTrue(took.compareTo(DRAIN) >= 0, "the stream had the whole drain: " + took.toMillis() + " ms");
        assertEquals(call.stream.stream().id(), (int) (long) client.goAway().get(1, TimeUnit.SECONDS),
                "the GOAWAY at the stop's start counted the stream in");
        assertTrue(client.channel().closeFuture().await(Http2TestClient.WAIT.toSeconds(), TimeUnit.SECONDS));
        assertFalse(call.head.isDone(), "no answer was made up for it");
        assertTrue(call.done.isCompletedExceptionally(), "the stream ended unanswered");
        assertTrue(server.openConnections().isEmpty());
    }
}

package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http2.Http2Settings;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.rproxy.core.store.Representation;

/**
 * A large answer on an HTTP/2 stream to a client that reads it slowly, through a small
 * flow-control window: a client whose reads keep the bytes moving gets all of them and keeps its
 * connection, however many idle timeouts the whole takes; one that stops reading has its stream
 * reset after one timeout (its data no longer queued for a window that never opens), and the
 * connection's other streams go on. Real sockets and Netty's
 * HTTP/2 client.
 * The cases run at once: each has its own server and client, and mostly waits for its reader's
 * beat or the stall timeout, so together they take about as long as the longest alone.
 */
@Execution(ExecutionMode.CONCURRENT)
class Http2SlowReaderTest {

    // Long enough that a loaded machine's scheduling gaps never read as a stalled reader: fifteen
    // times the slow reader's interval, thirty times the other's.
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private static final long SLOW_READ_MILLIS = 100;
    private static final long READ_MILLIS = 50;
    /** The client's stream window: the server sends no more than this until the client reads (96 windows in the body). */
    private static final int WINDOW = 8 * 1024;
    /**
     * Enough windows that the slow reader's reads, each a {@link #SLOW_READ_MILLIS} sleep apart,
     * take longer than six timeouts, and than the two timeouts and 5 s HTTP/2 grace after which the
     * connection was once cut: 95 reads, at least 9.5 s, however fast the machine.
     */
    private static final int SIZE = 96 * WINDOW;

    private final byte[] body = Fixtures.alphabet(SIZE);
    @AutoClose
    private Http2FrontEnd h2;

    private void start() {
        start(WINDOW);
    }

    private void start(int window) {
        Representation doc = Fixtures.octetStream(body, "\"big\"");
        h2 = Http2FrontEnd.start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT),
                request -> CompletableFuture.completedFuture(Reply.ok(doc)), Http2Settings.defaultSettings().initialWindowSize(window));
    }

    /**
     * Reads {@code call} one window at a time, every {@code everyMillis}, until its answer is done;
     * notes the longest gap between two reads as the client's event loop ran them, so that a
     * failure says whether the machine starved the reader (a gap near the timeout) or the server
     * cut a reader that kept up.
     */
    private static final class Reader {
        private final Http2TestClient.Call call;
        private volatile long lastNanos;
        private volatile long longestGapNanos;

        Reader(Http2TestClient.Call call) {
            this.call = call;
        }

        void readUntilDone(long everyMillis) throws InterruptedException {
            lastNanos = System.nanoTime();
            long deadline = lastNanos + TimeUnit.SECONDS.toNanos(60);
            while (!call.done.isDone() && System.nanoTime() < deadline) {
                call.stream.eventLoop().execute(() -> {
                    long now = System.nanoTime();
                    longestGapNanos = Math.max(longestGapNanos, now - lastNanos);
                    lastNanos = now;
                    call.stream.read();
                    // the read's WINDOW_UPDATE is written to the connection; a read from outside the
                    // connection's own read may leave it unflushed (netty/netty#10072), and a reader
                    // that gives no credit is a stalled one: send it
                    call.stream.parent().flush();
                });
                Thread.sleep(everyMillis);
            }
        }

        String gaps() {
            return "longest gap between reads " + TimeUnit.NANOSECONDS.toMillis(longestGapNanos) + " ms, timeout "
                    + TIMEOUT.toMillis() + " ms, " + call.received + " bytes received"
                    + (call.reset.isDone() ? ", reset by the server" : "");
        }
    }

    /** The body, or a failure that says how the reads went. */
    private static byte[] bytes(Reader reader) {
        try {
            return reader.call.bytes();
        } catch (Exception e) {
            throw new AssertionError("not served in full (" + reader.gaps() + ")", e);
        }
    }

    @Test
    void aClientThatReadsSlowerThanOneTimeoutAllowsForTheWholeBodyGetsItAll() throws Exception {
        start();
        Http2TestClient.Call call = h2.client.openPaused("/big");
        Reader reader = new Reader(call);
        // a window's worth every 100 ms: 96 windows, about 10 s, over six idle timeouts (before the fix
        // the connection was cut after two timeouts and the codec's 5 s grace: 8 s)
        long start = System.nanoTime();
        reader.readUntilDone(SLOW_READ_MILLIS);
        assertArrayEquals(body, bytes(reader), "every byte, in order (" + reader.gaps() + ")");
        assertEquals(200, call.status());
        long took = System.nanoTime() - start;
        assertTrue(took > TIMEOUT.toNanos() * 2 + TimeUnit.SECONDS.toNanos(5) && took > TIMEOUT.toNanos() * 6,
                "slower than the timeout allows for the whole: " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
        assertTrue(h2.client.channel().isActive(), "the connection stays");
        assertFalse(h2.client.goAway().isDone(), "no GOAWAY while the client reads");
    }

    @Test
    void aStreamWhoseClientStopsReadingIsResetAndTheConnectionGoesOn() throws Exception {
        start();
        Http2TestClient.Call stalled = h2.client.openPaused("/big");
        Http2TestClient.Call reading = h2.client.openPaused("/big");
        // the one reads slowly through several timeouts, the other never reads past its first window
        Reader reader = new Reader(reading);
        reader.readUntilDone(READ_MILLIS);
        assertArrayEquals(body, bytes(reader), "the stream that reads is served in full (" + reader.gaps() + ")");
        // a read taken before the reset came would take in one frame only (autoRead off) and leave
        // the rest queued: wait for the reset, then take in everything queued
        stalled.reset.get(Http2TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        stalled.stream.eventLoop().execute(() -> stalled.stream.config().setAutoRead(true));
        ExecutionException e = assertThrows(ExecutionException.class, () -> stalled.done.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, "reset, not completed: " + e.getCause());
        assertTrue(stalled.received < SIZE, "the stalled stream got " + stalled.received + " bytes");
        assertTrue(h2.client.channel().isActive(), "the connection stays");
    }

    /**
     * A window that never opens: every answer written stays queued on the connection, so at most
     * {@link AnswerTurns#MAX_ANSWERING} streams are answered at once; the others wait their turn,
     * unstarted, and get it as the stall timeout resets the first (each waiting head comes only
     * after a reset). Made at once, as they were, every stream's answer was held.
     */
    @Test
    void aConnectionAnswersNoMoreStreamsAtOnceThanItsTurns() throws Exception {
        start(0);
        List<Http2TestClient.Call> calls = new ArrayList<>();
        for (int i = 0; i < AnswerTurns.MAX_ANSWERING + 8; i++) {
            calls.add(h2.client.openPaused("/big"));
        }
        for (Http2TestClient.Call c : calls) {
            c.stream.eventLoop().execute(c.stream::read); // takes in the head (no data comes: the window is shut)
        }
        List<Http2TestClient.Call> first = calls.subList(0, AnswerTurns.MAX_ANSWERING);
        List<Http2TestClient.Call> waiting = calls.subList(AnswerTurns.MAX_ANSWERING, calls.size());
        for (Http2TestClient.Call c : first) {
            assertEquals(200, c.status()); // heads are not flow-controlled
        }
        long waitingAnswered = waiting.stream().filter(c -> c.head.isDone()).count();
        long given = first.stream().filter(c -> c.reset.isDone()).count();
        assertTrue(waitingAnswered <= given, waitingAnswered + " waiting streams answered, " + given + " turns given back");
        for (Http2TestClient.Call c : waiting) {
            assertEquals(200, c.status(), "once a turn is given back by a stalled stream's reset");
        }
    }
}

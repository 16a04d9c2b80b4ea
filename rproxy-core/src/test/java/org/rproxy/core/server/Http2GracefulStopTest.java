package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;

/**
 * RFC 9113 §6.8, a graceful stop in two GOAWAYs, over a real loopback connection with a client
 * that writes its own frames: the first GOAWAY (last stream 2^31-1) goes with a PING, the second,
 * naming the last stream opened, once the PING is acknowledged, so that a stream the client
 * opened while the first was on its way is answered. Before, the one GOAWAY named the last
 * stream the server had seen, and such a stream was ignored: neither answered nor refused.
 */
class Http2GracefulStopTest {

    private static final long MAX_STREAM_ID = Integer.MAX_VALUE;
    private static final long WAIT_MS = RawHttp2Client.WAIT.toMillis();
    /**
     * The wait for the answer before the stop: the first request of a fresh JVM loads the whole
     * serving path (BlockHound instrumenting it), which at load 31 took longer than
     * {@link RawHttp2Client#WAIT}.
     */
    private static final Duration FIRST_ANSWER = Duration.ofSeconds(60);
    /**
     * The drain of the stop a client never acknowledges: the PING is awaited 2 s of it
     * ({@link GracefulGoAway#MAX_PING_WAIT}), and the 4 s left before the cut keep the second
     * GOAWAY ahead of it on a loaded machine.
     */
    private static final Duration DRAIN = Duration.ofSeconds(6);
    /** What the stop may take beyond the drain: its later steps, with room for a loaded machine (as StopWithinDrainTest). */
    private static final Duration OVER = Duration.ofSeconds(4);

    private final ExecutorService closer = Executors.newSingleThreadExecutor();
    private HostileHttp2Target target;

    @AfterEach
    void stop() throws Exception {
        if (target != null) {
            target.stop();
        }
        closer.shutdownNow();
    }

    /**
     * The client opens stream 3 as soon as it reads the first GOAWAY, and only then acknowledges
     * the PING behind it: stream 3 is answered, the second GOAWAY counts it in, and the
     * connection then closes with nothing cut. Failed before: "no final :status on stream 3 ...
     * GOAWAY last stream 1 code 0".
     */
    @Test
    void aStreamOpenedRightAfterTheFirstGoAwayIsAnswered() throws Exception {
        target = new HostileHttp2Target();
        RawHttp2Client c = target.add(new RawHttp2Client(target.address())).answeringPings();
        c.onFirstGoAway(() -> c.get(3, "/doc", true)).startReading();
        c.get(1, "/doc", true);
        assertEquals("200", c.awaitStatus(1, FIRST_ANSWER));

        try (CapturedLogs logs = CapturedLogs.of(AltoHttpServer.class)) {
            Future<?> closing = closer.submit(target.server()::close);

            assertEquals("200", c.awaitStatus(3), "the stream opened while the first GOAWAY was on its way");
            c.awaitClosed();
            closing.get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertEquals(List.of(List.of(MAX_STREAM_ID, 0L), List.of(3L, 0L)), goAways(c),
                    "first GOAWAY: every stream still welcome; second: the last one opened");
            assertEquals(1, c.serverPings.get(), "one PING, to learn that the client has read the first");
            assertTrue(logs.events().stream().noneMatch(e -> e.getFormattedMessage().contains("cut")),
                    "the stop ended with the answers, nothing cut");
        }
    }

    /**
     * A stream opened after the first GOAWAY whose request is still arriving at the second is
     * refused (REFUSED_STREAM, safe to retry), as one that was open at the stop's start would be,
     * rather than holding the stop for its whole drain.
     */
    @Test
    void anUnfinishedStreamOpenedAfterTheFirstGoAwayIsRefusedAtTheSecond() throws Exception {
        target = new HostileHttp2Target();
        RawHttp2Client c = target.add(new RawHttp2Client(target.address())).answeringPings();
        c.onFirstGoAway(() -> {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 3, RawHttp2Client.requestHead("POST", "/query",
                    "content-type", "application/json"));
            c.flush();
        }).startReading();
        c.get(1, "/doc", true);
        assertEquals("200", c.awaitStatus(1, FIRST_ANSWER));

        Future<?> closing = closer.submit(target.server()::close);

        assertEquals(RawHttp2Client.REFUSED_STREAM, c.awaitReset(3));
        c.awaitClosed();
        closing.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(List.of(List.of(MAX_STREAM_ID, 0L), List.of(3L, 0L)), goAways(c));
    }

    /**
     * A client that never acknowledges the PING: the second GOAWAY goes all the same, after half
     * the drain, naming the stream in progress; the stream keeps the drain and is cut at its end,
     * and the stop ends within the drain's bound, not after the wait for the PING on top of it.
     */
    @Test
    void aClientThatNeverAcknowledgesThePingIsToldTheLastStreamAndTheStopKeepsItsDrain() throws Exception {
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withDrainTimeout(DRAIN));
        RawHttp2Client c = target.raw();
        c.get(1, "/hang", true);
        Eventually.await("the service has the request", FIRST_ANSWER, () -> target.hangingCount() == 1);

        long start = System.nanoTime();
        target.server().close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        c.awaitClosed();
        assertEquals(List.of(List.of(MAX_STREAM_ID, 0L), List.of(1L, 0L)), goAways(c),
                "the second GOAWAY went without an acknowledgement");
        assertFalse(c.status(1).isDone(), "the stream in progress was cut unanswered");
        assertTrue(took.compareTo(DRAIN.plus(OVER)) < 0, "the stop took " + took.toMillis() + " ms with a drain of " + DRAIN);
        assertTrue(target.server().openConnections().isEmpty());
    }

    /**
     * A connection whose idle timeout runs out between the two GOAWAYs (its last stream ended
     * just before the stop, the client does not acknowledge the PING) still gets the second one:
     * the stop, not the idle timer, closes it. Before, the idle timer closed it after the first
     * GOAWAY alone, which had told the client that every stream it opened might be processed, so
     * a request it sent meanwhile was left neither answered nor refused.
     */
    @Test
    void anIdleTimeoutBetweenTheGoAwaysDoesNotCloseWithoutTheSecond() throws Exception {
        Duration idle = Duration.ofSeconds(1); // shorter than the PING's wait, GracefulGoAway.MAX_PING_WAIT
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withDrainTimeout(DRAIN)
                .withIdleTimeout(idle));
        RawHttp2Client c = target.raw();
        c.get(1, "/doc", true);
        assertEquals("200", c.awaitStatus(1, FIRST_ANSWER)); // the connection's idle timer starts about now

        Future<?> closing = closer.submit(target.server()::close);

        c.awaitClosed();
        closing.get(WAIT_MS, TimeUnit.MILLISECONDS);
        List<List<Long>> seen = goAways(c);
        assumeFalse(seen.equals(List.of(List.of(1L, 0L))),
                "the idle timeout closed the connection before the stop reached it (a loaded machine)");
        assertEquals(List.of(List.of(MAX_STREAM_ID, 0L), List.of(1L, 0L)), seen,
                "the second GOAWAY went although the idle timeout ran out in between");
    }

    /** Each GOAWAY the client read, as {last stream id, error code}. */
    private static List<List<Long>> goAways(RawHttp2Client c) {
        return c.goAways.stream().map(g -> List.of(g[0], g[1])).toList();
    }
}

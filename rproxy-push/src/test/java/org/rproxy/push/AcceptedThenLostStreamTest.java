package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.EOFException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;

/**
 * A stream the upstream accepts (a 200 and the control event, taken) and then closes at once, or
 * leaves silent until the read timeout, has not proved itself: the backoff goes on doubling while
 * every stream dies so. Acceptance reset it, so such an upstream was subscribed to at the
 * shortest wait for good (5 to 10 times a second at the defaults). A stream that proves itself
 * (here by a heartbeat) does start the backoff afresh. Real sockets: a {@link HostileUpstream}
 * relays a genuine signed directory and counts the streams; the feed's timers are the test's
 * ({@link ManualScheduler}), so a stream opened without the test running a timer is seen.
 */
class AcceptedThenLostStreamTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    /**
     * Runs a feed against an upstream that accepts every stream and then ends it as {@code ending}
     * says ("close" or "silent"), the {@code n}th stream sending a heartbeat first when
     * {@code heartbeat} holds for {@code n}; returns the waits of the first {@code losses} losses.
     */
    private static List<Long> waits(String ending, IntPredicate heartbeat, int losses) throws Exception {
        try (LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            return waits(genuine, HostileUpstream.answerOf(genuine.uri().resolve("/directory")), ending, heartbeat,
                    losses);
        }
    }

    /**
     * {@link #waits(String, IntPredicate, int)} against {@code genuine}'s signed directory, fetched
     * before the feed starts and replayed at each of the feed's directory reads.
     *
     * <p>The feed's read timeout bounds each directory read as well as a stream's silence. What is
     * checked here is the backoff's waits, not how soon a silent stream is given up, so the timeout
     * is 2 s, and the directory is not fetched from {@code genuine} while answering: with a 500 ms
     * timeout and a fetch (a new HTTP client) made while answering, in a fresh JVM on a machine at
     * load 8 to 15, the first directory read timed out ("directory: no complete response within
     * PT0.5S"), so the first loss was the directory's and no stream had been opened when its timer
     * came ("streams opened with no timer run: expected 1 but was 0").
     */
    private static List<Long> waits(LoopbackUpstream genuine, byte[] directory, String ending, IntPredicate heartbeat,
            int losses) throws Exception {
        AtomicInteger streams = new AtomicInteger();
        try (HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.replay(directory, out);
                 } else if (line.startsWith("POST /updates ")) {
                     int n = streams.incrementAndGet();
                     HostileUpstream.acceptStream(out, n);
                     if (heartbeat.test(n)) {
                         HostileUpstream.chunk(out, ": heartbeat\n\n");
                     }
                     if (ending.equals("close")) {
                         out.write("0\r\n\r\n".getBytes(US_ASCII));
                         out.flush();
                         throw new EOFException("ended"); // closes the connection
                     } // else silent: held open until the feed gives it up
                 }
             })) {
            ManualScheduler timers = new ManualScheduler();
            PushFeedConfig config = PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                    .withReadTimeout(Duration.ofSeconds(2));
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(genuine.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), copy -> { }, timers, () -> 0.5);
            try {
                feed.begin();
                List<Long> waits = new ArrayList<>();
                for (int i = 1; i <= losses; i++) {
                    ManualScheduler.Scheduled next = timers.awaitNextScheduled(30); // returns when it comes
                    assertNotNull(next, "stream " + i + " was not given up");
                    assertEquals(i, streams.get(), "streams opened with no timer run");
                    waits.add(next.delayMillis());
                    timers.execute(next.task());
                }
                return waits;
            } finally {
                feed.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"close", "silent"})
    void anUpstreamThatAcceptsEveryStreamAndEndsItAtOnceIsSubscribedToAgainAfterDoublingWaits(String ending)
            throws Exception {
        // Bases 100, 200, 400, 800, 1000, 1000 ms; the pinned draw 0.5 gives three quarters of each.
        assertEquals(List.of(75L, 150L, 300L, 600L, 750L, 750L), waits(ending, n -> false, 6));
    }

    @Test
    void aStreamThatProvesItselfWithAHeartbeatStartsTheBackoffAfresh() throws Exception {
        // streams 1 to 3 close at once; the 4th sends a heartbeat first, then closes; the 5th closes at once
        assertEquals(List.of(75L, 150L, 300L, 75L, 150L), waits("close", n -> n == 4, 5));
    }
}

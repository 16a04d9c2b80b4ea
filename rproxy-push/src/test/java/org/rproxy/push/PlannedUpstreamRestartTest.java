package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.slf4j.LoggerFactory;

/**
 * An upstream stopped as for a planned restart ends its update streams cleanly (its front end's
 * drain writes each stream's last chunk): the push feed below says so at INFO, and warns only when
 * no stream is back within {@link StreamLossLog#ENDED_GRACE} of waits. It warned at once ("update
 * stream from URL lost (the upstream ended the stream); reconnecting in 75 ms ..."), so every
 * routine restart made a WARN on every push proxy below. Real sockets: a {@link LoopbackUpstream}
 * (the real publisher on the real front end) is closed; the feed's timers are the test's
 * ({@link ManualScheduler}), so the waits of the grace pass at once.
 */
class PlannedUpstreamRestartTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void aStreamTheUpstreamEndedIsInfoAndWarnedOfOnlyWhenNotBackWithinTheGrace() throws Exception {
        Logger feedLog = (Logger) LoggerFactory.getLogger(PushFeed.class);
        Level was = feedLog.getLevel();
        feedLog.setLevel(Level.INFO); // the tests' configuration logs warnings only; the end is INFO
        ManualScheduler timers = new ManualScheduler();
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
            // waits of 3/4 of 100 ms, 200 ms ... (the pinned draw 0.5): the grace takes about 9 attempts
            PushFeed feed = feed(upstream.uri(), upstream, timers, Duration.ofSeconds(240));
            try {
                upstream.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
                feed.begin();
                // a verified update: the stream proved itself, as a stream running when a restart comes has
                LoopbackUpstream.await("the map held",
                        () -> feed.stats().connected() && feed.held().get(LoopbackUpstream.NM) != null);
            } finally {
                upstream.close(); // the stop: the front end's drain ends the stream with its last chunk
            }
            try {
                ManualScheduler.Scheduled next = timers.awaitNextScheduled(30);
                assertNotNull(next, "the stream the upstream ended was not given up");
                ILoggingEvent end = logs.awaitMessage("ended by the upstream", Duration.ofSeconds(10));
                assertEquals(Level.INFO, end.getLevel(), end.getFormattedMessage());
                assertEquals(List.of(), warnings(logs), "no warning for a stream the upstream ended");

                long waited = 0;
                for (int attempt = 1; warnings(logs).isEmpty(); attempt++) {
                    assertTrue(waited < StreamLossLog.ENDED_GRACE.toMillis(),
                            "no warning after " + waited + " ms of waits: " + logs.events());
                    assertTrue(attempt <= 40, "bounded");
                    waited += next.delayMillis();
                    timers.execute(next.task()); // the upstream is down: refused
                    next = timers.awaitNextScheduled(30);
                    assertNotNull(next, "attempt " + attempt + " did not fail");
                }
                assertTrue(waited >= StreamLossLog.ENDED_GRACE.toMillis(), "warned after only " + waited + " ms");
                List<String> warnings = warnings(logs);
                assertEquals(1, warnings.size(), warnings.toString());
                assertTrue(warnings.get(0).startsWith("update stream from " + upstream.uri()
                        + " not back within 30s of the upstream ending it: still no stream after "), warnings.get(0));
            } finally {
                feed.close();
            }
        } finally {
            timers.shutdownNow();
            feedLog.setLevel(was);
        }
    }

    /**
     * A stream that broke (cut without its last chunk, after a heartbeat proved it), or that the
     * upstream ended before it proved itself (an upstream ending every stream it accepts is no
     * restart), is still warned of at once.
     */
    @ParameterizedTest
    @CsvSource({"true, false, closed by the upstream", "false, true, the upstream ended the stream"})
    void aStreamThatBrokeOrNeverWorkedIsWarnedOfAtOnce(boolean heartbeat, boolean lastChunk, String reason)
            throws Exception {
        ManualScheduler timers = new ManualScheduler();
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class);
             LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            byte[] directory = HostileUpstream.answerOf(genuine.uri().resolve("/directory"));
            try (HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
                if (line.startsWith("GET /directory ")) {
                    HostileUpstream.replay(directory, out);
                } else if (line.startsWith("POST /updates ")) {
                    HostileUpstream.acceptStream(out, 1);
                    if (heartbeat) {
                        HostileUpstream.chunk(out, ": heartbeat\n\n");
                    }
                    if (lastChunk) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    throw new EOFException("gone"); // closes the connection
                }
            })) {
                PushFeed feed = feed(upstream.uri(), genuine, timers, Duration.ofSeconds(1));
                try {
                    feed.begin();
                    assertNotNull(timers.awaitNextScheduled(30), "the stream was not given up");
                    assertEquals(List.of("update stream from " + upstream.uri() + " lost (" + reason
                            + "); reconnecting in 75 ms (failures are summarised every 10 min until a stream is accepted)"),
                            warnings(logs));
                } finally {
                    feed.close();
                }
            }
        } finally {
            timers.shutdownNow();
        }
    }

    /**
     * An upstream restarted twice in a row: the stream of the first restart's return ends cleanly
     * again before it has proved itself (nothing new came, and no heartbeat yet, 10 s apart by
     * default). That is the same restart, within its grace: INFO, no warning. It was warned of at
     * once ("update stream from URL lost (the upstream ended the stream) ..."), as an upstream
     * ending every stream it accepts is. Real sockets: a {@link HostileUpstream} relaying a genuine
     * signed directory ends its first stream after a heartbeat and its second at once, and holds
     * the third open ({@link #restarting}).
     */
    @Test
    void aSecondRestartBeforeTheNewStreamProvedItselfIsStillTheSameRestart() throws Exception {
        followRestarting(3, false, (feed, timers, logs, streams) -> {
            reconnectAfterEnds(timers, 2);
            // the third, held open, after the second wait (the backoff not started afresh: nothing proved)
            logs.awaitMessage("open, on attempt 1 after at least 150ms", Duration.ofSeconds(10));
            assertEquals(List.of(), warnings(logs), "the same restart, within its grace");
            assertEquals(2, restartsLogged(logs), logs.events().toString());
        });
    }

    /**
     * An upstream that, after one working stream it ended, ends every stream it accepts before it
     * proves itself: the grace of that restart bounds the quiet. Once {@link StreamLossLog#ENDED_GRACE}
     * of waits has passed, one warning, as for an upstream not back.
     */
    @Test
    void anUpstreamEndingEveryStreamAfterARestartIsWarnedOfOnceTheGraceIsOut() throws Exception {
        ManualScheduler timers = new ManualScheduler();
        AtomicInteger streams = new AtomicInteger();
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class);
             LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream upstream = restarting(genuine, streams, Integer.MAX_VALUE)) {
            PushFeed feed = feed(upstream.uri(), genuine, timers, Duration.ofSeconds(240));
            try {
                feed.begin();
                long waited = 0;
                for (int attempt = 1; ; attempt++) {
                    assertTrue(attempt <= 40, "bounded: " + logs.events());
                    ManualScheduler.Scheduled next = timers.awaitNextScheduled(30);
                    assertNotNull(next, "stream " + attempt + " was not given up");
                    if (!warnings(logs).isEmpty()) {
                        break; // warned as this stream ended (logged before its retry was scheduled)
                    }
                    assertTrue(waited < StreamLossLog.ENDED_GRACE.toMillis(), "no warning after " + waited + " ms");
                    waited += next.delayMillis();
                    timers.execute(next.task());
                }
                assertTrue(waited >= StreamLossLog.ENDED_GRACE.toMillis(), "warned after only " + waited + " ms");
                List<String> warnings = warnings(logs);
                assertEquals(1, warnings.size(), warnings.toString());
                assertTrue(warnings.get(0).startsWith("update stream from " + upstream.uri() + " lost (the upstream"
                        + " ended the stream)"), warnings.get(0));
            } finally {
                feed.close();
            }
        } finally {
            timers.shutdownNow();
        }
    }

    /**
     * A flapping upstream (or a load balancer cutting streams): every stream proves itself with a
     * heartbeat and is then ended cleanly. Each such end reset the grace, so the feed logged
     * "ended by the upstream (a restart, say)" at INFO for ever and never warned. More than 3
     * clean ends within 10 minutes (StreamLossLog's FLAP_LIMIT and FLAP_WINDOW) is one WARN, and
     * the ends after it within the window are DEBUG. The window is wall time, which the
     * few ends here take far less of.
     */
    @Test
    void anUpstreamEndingEveryStreamAfterAHeartbeatIsWarnedOfAsFlapping() throws Exception {
        int limit = 3; // the rule operations.md states
        int ends = limit + 3;
        followRestarting(ends + 1, true, (feed, timers, logs, streams) -> {
            reconnectAfterEnds(timers, ends);
            LoopbackUpstream.await("the last stream, held open, accepted",
                    () -> streams.get() == ends + 1 && feed.stats().connected());
            assertEquals(limit, restartsLogged(logs), logs.events().toString());
            List<String> warnings = warnings(logs);
            assertEquals(1, warnings.size(), "one warning, not one per end: " + logs.events());
            assertTrue(warnings.get(0).startsWith("update stream from http://127.0.0.1:") && warnings.get(0).contains(
                    " ended by the upstream more than 3 times within 10m: a flapping upstream"), warnings.get(0));
        });
    }

    /** What a test checks of a feed following a {@link #restarting} upstream. */
    @FunctionalInterface
    private interface RestartCheck {
        void check(PushFeed feed, ManualScheduler timers, CapturedLogs logs, AtomicInteger streams) throws Exception;
    }

    /**
     * Runs {@code check} on a feed, its log at INFO, following a {@link #restarting} upstream that
     * holds streams open from {@code heldFrom} on.
     */
    private static void followRestarting(int heldFrom, boolean everyHeartbeat, RestartCheck check) throws Exception {
        Logger feedLog = (Logger) LoggerFactory.getLogger(PushFeed.class);
        Level was = feedLog.getLevel();
        feedLog.setLevel(Level.INFO); // the tests' configuration logs warnings only; the ends are INFO
        ManualScheduler timers = new ManualScheduler();
        AtomicInteger streams = new AtomicInteger();
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class);
             LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream upstream = restarting(genuine, streams, heldFrom, everyHeartbeat)) {
            PushFeed feed = feed(upstream.uri(), genuine, timers, Duration.ofSeconds(1));
            try {
                feed.begin();
                check.check(feed, timers, logs, streams);
            } finally {
                feed.close();
            }
        } finally {
            timers.shutdownNow();
            feedLog.setLevel(was);
        }
    }

    /**
     * An upstream relaying {@code genuine}'s signed directory (a network map published) that ends each stream it accepts with its last chunk (a
     * stop's drain), the first after a heartbeat (it proved itself), from stream {@code heldFrom} on
     * holding them open.
     */
    private static HostileUpstream restarting(LoopbackUpstream genuine, AtomicInteger streams, int heldFrom)
            throws Exception {
        return restarting(genuine, streams, heldFrom, false);
    }

    /** As above; with {@code everyHeartbeat}, every stream proves itself before it is ended. */
    private static HostileUpstream restarting(LoopbackUpstream genuine, AtomicInteger streams, int heldFrom,
            boolean everyHeartbeat) throws Exception {
        genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
        byte[] directory = HostileUpstream.answerOf(genuine.uri().resolve("/directory"));
        return new HostileUpstream((line, out, written) -> {
            if (line.startsWith("GET /directory ")) {
                HostileUpstream.replay(directory, out);
            } else if (line.startsWith("POST /updates ")) {
                int n = streams.incrementAndGet();
                HostileUpstream.acceptStream(out, n);
                if (n == 1 || everyHeartbeat && n < heldFrom) {
                    HostileUpstream.chunk(out, ": heartbeat\n\n"); // the stream proved itself
                }
                if (n < heldFrom) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    throw new EOFException("stopped");
                }
            }
        });
    }

    /**
     * A feed of {@code uri} trusting {@code genuine}'s origin, on {@code timers}, its waits from
     * 100 ms doubling to {@code backoffMax}, three quarters of each (the pinned draw 0.5).
     */
    private static PushFeed feed(URI uri, LoopbackUpstream genuine, ManualScheduler timers, Duration backoffMax) {
        return new PushFeed(PushFeedConfig.of(uri).withBackoff(Duration.ofMillis(100), backoffMax)
                .withReadTimeout(Duration.ofSeconds(60)), new ResponseVerifier(List.of(genuine.origin.publicKey()),
                new MutableClock(T0.plusSeconds(10))), copy -> { }, timers, () -> 0.5);
    }

    /** Lets the feed reconnect after each of the next {@code n} streams the upstream ends. */
    private static void reconnectAfterEnds(ManualScheduler timers, int n) throws InterruptedException {
        for (int end = 1; end <= n; end++) {
            ManualScheduler.Scheduled next = timers.awaitNextScheduled(30);
            assertNotNull(next, "stream " + end + " was not given up");
            timers.execute(next.task());
        }
    }

    /** The ends logged at INFO as a restart. */
    private static long restartsLogged(CapturedLogs logs) {
        return logs.events().stream()
                .filter(e -> e.getFormattedMessage().contains("ended by the upstream (a restart, say)")).count();
    }

    private static List<String> warnings(CapturedLogs logs) {
        return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}

package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;

/**
 * While its upstream is down, the push feed says so once, then sums up at most once per
 * {@link StreamLossLog#SUMMARY_EVERY} of waiting, and says once when a stream is accepted again:
 * what a pull proxy does for an upstream it cannot reach. It logged a warning on every attempt
 * (about 120 an hour at the default longest wait of 30 s). Real sockets: a {@link HostileUpstream}
 * that closes every connection while "down", and relays a genuine signed directory and accepts
 * the stream once "up"; the feed's timers are the test's ({@link ManualScheduler}), so 20
 * attempts with waits up to 3 minutes (about 29 minutes of waiting) take a moment.
 */
class StreamLossLogTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final int ATTEMPTS = 20;

    @Test
    void anUpstreamDownIsLoggedOnceThenSummarisedThenOnceWhenAStreamIsAcceptedAgain() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        try (LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
                 if (down.get()) {
                     throw new EOFException("down"); // closes the connection without an answer
                 }
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(genuine.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ")) {
                     out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                             .getBytes(US_ASCII));
                     HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                             + "data: {\"control-uri\":\"/updates/control/1\"}\n\n"); // then held open
                 }
             });
             CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            ManualScheduler timers = new ManualScheduler();
            // waits of 3/4 of 100 ms, 200 ms ... up to 3/4 of 240 s (the pinned draw 0.5)
            PushFeedConfig config = PushFeedConfig.of(upstream.uri())
                    .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(240)).withReadTimeout(Duration.ofSeconds(60));
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(genuine.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), copy -> { }, timers, () -> 0.5);
            try {
                feed.begin();
                long waited = 0;
                for (int i = 1; i <= ATTEMPTS; i++) {
                    ManualScheduler.Scheduled next = timers.awaitNextScheduled(10);
                    assertNotNull(next, "attempt " + i + " did not fail");
                    waited += next.delayMillis();
                    if (i == ATTEMPTS) {
                        down.set(false);
                    }
                    timers.execute(next.task());
                }
                ILoggingEvent open = logs.awaitMessage("open, on attempt " + ATTEMPTS, Duration.ofSeconds(10));
                assertEquals(Level.INFO, open.getLevel());

                List<String> warnings = logs.events().stream().filter(e -> e.getLevel() == Level.WARN)
                        .map(ILoggingEvent::getFormattedMessage).toList();
                assertTrue(warnings.get(0).startsWith("update stream from " + upstream.uri() + " lost (directory: "),
                        warnings.toString());
                List<String> summaries = warnings.subList(1, warnings.size());
                long most = waited / StreamLossLog.SUMMARY_EVERY.toMillis();
                assertTrue(!summaries.isEmpty() && summaries.size() <= most,
                        "one summary per 10 min of waiting at most (" + waited + " ms): " + warnings);
                for (String s : summaries) {
                    assertTrue(s.startsWith("update stream: still no stream after ") && s.contains("(directory: "), s);
                }
                assertEquals(1, logs.events().stream().filter(e -> e.getFormattedMessage().contains(" open")).count(),
                        "one line when the stream is accepted again");
            } finally {
                feed.close();
            }
        }
    }

    /**
     * An upstream restarted in a few seconds: the line that says the stream is back names the time
     * without one in seconds. It said "after about 0 min without one", in whole minutes.
     */
    @Test
    void aStreamBackAfterSecondsSaysTheSeconds() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            URI origin = URI.create("http://127.0.0.1:8181");
            StreamLossLog log = new StreamLossLog();
            log.lost(origin, "the upstream ended the stream", 124, origin, true, true, false);
            log.lost(origin, "connection refused", 3_000, origin, false, false, false);
            log.lost(origin, "connection refused", 6_000, origin, false, false, false);
            log.accepted(origin, "");
            ILoggingEvent open = logs.awaitMessage(" open, on attempt 3", Duration.ofSeconds(5));
            assertEquals("update stream from http://127.0.0.1:8181 open, on attempt 3 after at least 9s without one",
                    open.getFormattedMessage());
        }
    }

    /**
     * Streams each accepted and then lost for the upstream's fault, 30 s apart (the default longest
     * wait), are one warning and one INFO line, then a summary per 10 minutes of waits; a fault an
     * hour after the last starts a streak of its own, and a stream lost otherwise is warned of at once.
     * Each accepted stream started the log afresh: a warning and an INFO line per stream.
     */
    @Test
    void streamsLostForTheUpstreamsFaultOneAfterAnotherAreWarnedOfOnceThenSummarised() throws Exception {
        long[] now = {1};
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            URI origin = URI.create("http://127.0.0.1:8181");
            StreamLossLog log = new StreamLossLog(() -> now[0]);
            lostAndAcceptedFor20Minutes(log, now, origin, "adding substreams failed: 400", true, true);
            List<String> lines = linesAtInfo(logs);
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("WARN update stream from http://127.0.0.1:8181 lost (adding"), lines.get(0));
            assertTrue(lines.get(1).startsWith("INFO update stream from http://127.0.0.1:8181 open"), lines.get(1));
            for (String summary : lines.subList(2, 4)) {
                assertTrue(summary.startsWith("WARN update stream from http://127.0.0.1:8181: ") && summary.contains(
                        " streams in a row accepted and then lost for the upstream's fault or before they proved"
                        + " themselves, in at least 10m"), summary);
            }

            int before = logs.events().size();
            now[0] += Duration.ofHours(1).toNanos();
            log.lost(origin, "adding substreams failed: 400", 100, origin, false, true, true);
            log.accepted(origin, "");
            log.lost(origin, "no heartbeat within the read timeout", 100, origin, false, true, false);
            List<ILoggingEvent> after = warningsSince(logs, before);
            assertEquals(2, after.size(), "a fault an hour after the last, then a loss of another kind: " + after);
        }
    }

    /**
     * An upstream that accepts every stream and breaks it before it proves itself (a reset, or
     * nothing until the read timeout), 30 s apart: one warning and one INFO line, then a summary
     * per 10 minutes of waits, as for streams lost for its fault; a stream that proved itself and
     * broke is warned of at once. Each accepted stream ended the streak: a warning per stream.
     */
    @Test
    void streamsAcceptedAndBrokenBeforeProvingThemselvesAreWarnedOfOnceThenSummarised() throws Exception {
        long[] now = {1};
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            URI origin = URI.create("http://127.0.0.1:8181");
            StreamLossLog log = new StreamLossLog(() -> now[0]);
            log.accepted(origin, "");
            lostAndAcceptedFor20Minutes(log, now, origin, "connection reset", false, false);
            List<String> lines = linesAtInfo(logs);
            assertEquals(5, lines.size(), lines.toString());
            assertTrue(lines.get(1).startsWith("WARN update stream from http://127.0.0.1:8181 lost (connection reset)"),
                    lines.get(1));
            assertTrue(lines.get(2).startsWith("INFO update stream from http://127.0.0.1:8181 open"), lines.get(2));
            for (String summary : lines.subList(3, 5)) {
                assertTrue(summary.startsWith("WARN update stream from http://127.0.0.1:8181: ") && summary.contains(
                        " streams in a row accepted and then lost"), summary);
            }

            int before = logs.events().size();
            log.proved();
            log.lost(origin, "connection reset", 100, origin, false, true, false);
            List<ILoggingEvent> after = warningsSince(logs, before);
            assertEquals(1, after.size(), "a stream that proved itself, then broke: " + after);
        }
    }

    private final Logger feedLog = (Logger) LoggerFactory.getLogger(PushFeed.class);
    private Level feedLevel;

    /** The tests' configuration logs warnings only; a stream's opening is INFO. */
    @BeforeEach
    void feedLogAtInfo() {
        feedLevel = feedLog.getLevel();
        feedLog.setLevel(Level.INFO);
    }

    @AfterEach
    void feedLogAsItWas() {
        feedLog.setLevel(feedLevel);
    }

    /**
     * 41 streams from {@code origin}, 30 s apart by {@code now} (20 minutes of waits after the
     * first loss), each lost as told and followed by the next.
     */
    private static void lostAndAcceptedFor20Minutes(StreamLossLog log, long[] now, URI origin, String reason,
            boolean proven, boolean fault) {
        for (int i = 0; i < 41; i++) {
            log.lost(origin, reason, 30_000, origin, false, proven, fault);
            now[0] += Duration.ofSeconds(30).toNanos();
            log.accepted(origin, "");
        }
    }

    /** The warnings {@code logs} caught after its first {@code before} events. */
    private static List<ILoggingEvent> warningsSince(CapturedLogs logs, int before) {
        return logs.events().subList(before, logs.events().size()).stream().filter(e -> e.getLevel() == Level.WARN)
                .toList();
    }

    /** The lines {@code logs} caught at INFO or above, each as its level and message. */
    private static List<String> linesAtInfo(CapturedLogs logs) {
        return logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    /**
     * A streak of streams lost for the upstream's fault, then the upstream down (every attempt
     * refused) until the summary warns that there is still no stream: the stream accepted again is
     * an INFO line, as after any outage warned of. It was at DEBUG, the streak's opening, so the
     * last line an operator saw at INFO or above was the warning that no stream was back.
     */
    @Test
    void anOutageWarnedOfAfterAStreakOfFaultsSaysAtInfoWhenAStreamIsBack() throws Exception {
        feedLog.setLevel(Level.DEBUG); // the streak's lines are at DEBUG; set back after each test
        long[] now = {1};
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            URI origin = URI.create("http://127.0.0.1:8181");
            StreamLossLog log = new StreamLossLog(() -> now[0]);
            for (int i = 0; i < 3; i++) {
                log.lost(origin, "adding substreams failed: 400", 30_000, origin, false, true, true);
                now[0] += Duration.ofSeconds(30).toNanos();
                log.accepted(origin, "");
            }
            log.lost(origin, "adding substreams failed: 400", 30_000, origin, false, true, true);
            for (int i = 0; i < 22; i++) { // then 11 minutes of waits, every attempt refused
                now[0] += Duration.ofSeconds(30).toNanos();
                log.lost(origin, "connection refused", 30_000, origin, false, false, false);
            }
            assertTrue(logs.events().stream().anyMatch(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().startsWith("update stream: still no stream after ")), logs.events().toString());
            log.accepted(origin, "");
            ILoggingEvent open = logs.awaitMessage(" on attempt 23", Duration.ofSeconds(5));
            assertEquals(Level.INFO, open.getLevel(), "the stream back after an outage warned of: " + open);
        }
    }

    /**
     * A streak of streams accepted and reset before proving themselves, then the upstream down (a
     * reset, then every attempt refused): the first refusal is a warning at once, and the stream back
     * an INFO line; the same cycle again (an upstream crash-looping) is no further warning. The
     * refusals were at DEBUG until the summary 10 minutes of waits later, the last line at INFO or
     * above saying the stream was open.
     */
    @Test
    void theUpstreamDownAfterAStreakIsWarnedOfAtOnceOncePerStreak() throws Exception {
        long[] now = {1};
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            URI origin = URI.create("http://127.0.0.1:8181");
            StreamLossLog log = new StreamLossLog(() -> now[0]);
            log.accepted(origin, "");
            for (int i = 0; i < 3; i++) {
                log.lost(origin, "connection reset", 10_000, origin, false, false, false);
                now[0] += Duration.ofSeconds(10).toNanos();
                log.accepted(origin, "");
            }
            int before = logs.events().size();
            log.lost(origin, "connection reset", 10_000, origin, false, false, false);
            now[0] += Duration.ofSeconds(10).toNanos();
            log.lost(origin, "connection refused", 10_000, origin, false, false, false);
            List<ILoggingEvent> warned = warningsSince(logs, before);
            assertEquals(1, warned.size(), "the upstream down after a streak: " + linesAtInfo(logs));
            assertTrue(warned.get(0).getFormattedMessage().startsWith("update stream from http://127.0.0.1:8181:"
                    + " attempt 1 failed (connection refused) after 4 streams in a row lost"), warned.toString());
            log.accepted(origin, "");
            ILoggingEvent back = logs.awaitMessage(" open, on attempt 2", Duration.ofSeconds(5));
            assertEquals(Level.INFO, back.getLevel(), "the stream back after the warning: " + back);

            before = logs.events().size();
            for (int i = 0; i < 5; i++) { // crash-looping: accepted, reset, refused, again
                now[0] += Duration.ofSeconds(10).toNanos();
                log.lost(origin, "connection reset", 10_000, origin, false, false, false);
                now[0] += Duration.ofSeconds(10).toNanos();
                log.lost(origin, "connection refused", 10_000, origin, false, false, false);
                log.accepted(origin, "");
            }
            assertEquals(List.of(), warningsSince(logs, before), "the same cycle again");
        }
    }

    /**
     * Streams lost one after another at one upstream, then a stream at another upstream accepted and
     * broken before it proved itself: that loss is warned of at once, as the first at that upstream.
     * It continued the first upstream's streak, at DEBUG.
     */
    @Test
    void aLossAtAnotherUpstreamStartsAStreakOfItsOwn() throws Exception {
        long[] now = {1};
        try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            URI first = URI.create("http://127.0.0.1:8181");
            URI second = URI.create("http://127.0.0.1:8282");
            StreamLossLog log = new StreamLossLog(() -> now[0]);
            for (int i = 0; i < 3; i++) {
                log.accepted(first, "");
                log.lost(first, "connection reset", 10_000, second, false, false, false);
                now[0] += Duration.ofSeconds(10).toNanos();
            }
            int before = logs.events().size();
            log.accepted(second, "");
            log.lost(second, "connection reset", 10_000, first, false, false, false);
            List<ILoggingEvent> warned = warningsSince(logs, before);
            assertEquals(1, warned.size(), "a loss at the second upstream: " + linesAtInfo(logs));
            assertTrue(warned.get(0).getFormattedMessage().startsWith("update stream from http://127.0.0.1:8282 lost"
                    + " (connection reset)"), warned.toString());
        }
    }
}

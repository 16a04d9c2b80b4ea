package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;

/**
 * A control request the upstream does not take (documents it announced, added through the
 * control URI) has the feed subscribe again, naming them: that is a lost stream like any other,
 * after the feed's backoff, and the backoff goes on doubling while the upstream takes every
 * subscription and fails its control requests. It was immediate, and the upstream's taking the
 * subscription started the backoff afresh: an upstream announcing a document on every stream and
 * failing every control request (an error, or a connection closed without an answer) had the feed
 * resubscribe as fast as the network allowed. Real sockets: a {@link HostileUpstream} relays a
 * genuine signed directory and counts the streams opened; the feed's timers are the test's
 * ({@link ManualScheduler}), so a stream opened without the test running a timer is seen. The
 * streams lost so are one fact, warned of once: each accepted stream started the log afresh, a
 * warning and an INFO line per stream.
 */
class FailedControlRequestTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @ParameterizedTest
    @ValueSource(strings = {"error", "close"})
    void anUpstreamThatFailsEveryControlRequestIsSubscribedToAgainAfterDoublingWaits(String failure) throws Exception {
        AtomicInteger streams = new AtomicInteger();
        AtomicInteger controls = new AtomicInteger();
        try (LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(genuine.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates/control/")) {
                     controls.incrementAndGet();
                     if (failure.equals("close")) {
                         throw new EOFException("no answer"); // closes the connection
                     }
                     String body = "{\"meta\":{\"code\":\"E_SYNTAX\",\"message\":\"not today\"}}";
                     out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/alto-error+json\r\n"
                             + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(US_ASCII));
                     out.flush();
                 } else if (line.startsWith("POST /updates ")) {
                     int n = streams.incrementAndGet();
                     out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                             .getBytes(US_ASCII));
                     // a document the feed does not follow yet, a new one on every stream
                     HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                             + "data: {\"control-uri\":\"/updates/control/" + n + "\",\"" + UpdatePublisher.DOCUMENTS_MEMBER
                             + "\":{\"/costmap/n" + n + "\":\"n" + n + "\"}}\n\n");
                 }
             });
             CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            ManualScheduler timers = new ManualScheduler();
            PushFeedConfig config = PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(genuine.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), copy -> { }, timers, () -> 0.5);
            try {
                feed.begin();
                List<Long> waits = new ArrayList<>();
                for (int i = 1; i <= 6; i++) {
                    ManualScheduler.Scheduled next = timers.awaitNextScheduled(5);
                    assertNotNull(next, "no reconnect scheduled after control request " + i + " failed; streams opened: "
                            + streams.get() + ", control requests: " + controls.get());
                    assertEquals(i, streams.get(), "streams opened with no timer run");
                    assertEquals(i, controls.get(), "control requests");
                    waits.add(next.delayMillis());
                    timers.execute(next.task());
                }
                // Bases 100, 200, 400, 800, 1000, 1000 ms; the pinned draw 0.5 gives three quarters of each.
                assertEquals(List.of(75L, 150L, 300L, 600L, 750L, 750L), waits);
                LoopbackUpstream.await("the seventh stream", () -> streams.get() == 7);
                assertEquals(7, feed.stats().connects(), "each counted as a reconnect");
                String lost = logs.awaitMessage("reconnecting in 75 ms", Duration.ofSeconds(5)).getFormattedMessage();
                assertTrue(lost.contains("/costmap/n1") && lost.contains("control"), "logged as a lost stream, with why: " + lost);
                List<String> warned = logs.events().stream().filter(e -> e.getLevel() == Level.WARN)
                        .map(ILoggingEvent::getFormattedMessage).toList();
                assertEquals(List.of(lost), warned, "six streams lost the same way, warned of once");
            } finally {
                feed.close();
            }
        }
    }
}

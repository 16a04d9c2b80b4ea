package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;

/**
 * A stream the upstream accepts and then fills with what the feed cannot read (here an event
 * larger than the largest it takes, as a map over its {@code max-body} is) is lost, and the
 * upstream's accepting the next one does not start the backoff afresh: the waits double while
 * every stream breaks so. Accepting reset it, so such an upstream was subscribed to again at the
 * shortest wait for good, sending up to the largest event each time (64 MB by default). Real
 * sockets: a {@link HostileUpstream} relays a genuine signed directory and counts the streams;
 * the feed's timers are the test's ({@link ManualScheduler}).
 */
class UnreadableStreamTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void anUpstreamWhoseAcceptedStreamsSendAnEventTooLargeIsSubscribedToAgainAfterDoublingWaits() throws Exception {
        AtomicInteger streams = new AtomicInteger();
        try (LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(genuine.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ")) {
                     streams.incrementAndGet();
                     out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                             .getBytes(US_ASCII));
                     HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                             + "data: {\"control-uri\":\"/updates/control/1\"}\n\n");
                     HostileUpstream.chunk(out, "event: application/alto-networkmap+json,d1\ndata: {\"network-map\":\""
                             + "x".repeat(4096) + "\"}\n\n");
                 }
             });
             CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
            genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            ManualScheduler timers = new ManualScheduler();
            PushFeedConfig config = PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                    .withMaxEventBytes(1024);
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(genuine.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), copy -> { }, timers, () -> 0.5);
            try {
                feed.begin();
                List<Long> waits = new ArrayList<>();
                for (int i = 1; i <= 6; i++) {
                    ManualScheduler.Scheduled next = timers.awaitNextScheduled(5);
                    assertNotNull(next, "stream " + i + " was not given up");
                    assertEquals(i, streams.get(), "streams opened with no timer run");
                    waits.add(next.delayMillis());
                    timers.execute(next.task());
                }
                // Bases 100, 200, 400, 800, 1000, 1000 ms; the pinned draw 0.5 gives three quarters of each.
                assertEquals(List.of(75L, 150L, 300L, 600L, 750L, 750L), waits);
                String lost = logs.awaitMessage("reconnecting in 75 ms", Duration.ofSeconds(5)).getFormattedMessage();
                assertTrue(lost.contains("bad event stream") && lost.contains("1024"), lost);
            } finally {
                feed.close();
            }
        }
    }
}

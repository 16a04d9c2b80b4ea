package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;

/**
 * Going back to a preferred upstream whose directory verifies but whose update stream fails (it
 * answers {@code 503}, full of subscribers, say): the health check that finds it healthy again
 * has its stream tried beside the fallback's, which stays open and in use while the preferred
 * one's fails; the preferred one is then not tried again before a backoff of health checks has
 * passed (1, 2, 4, 8 ... checks, up to {@code push.backoff-max}). Every check went back to it,
 * tearing down the working fallback stream every {@code health-check} (2 s) for good; with the
 * backoff, each try still closed the fallback's stream first and cost a reconnect to it (one
 * fallback stream per try). Real upstreams on loopback: the preferred one a {@link
 * HostileUpstream} relaying the genuine fallback's signed directory and counting its streams;
 * the feed's timers and health checks are the test's ({@link TwoUpstreamFeed}).
 */
@ExtendWith(TwoUpstreamFeed.ReturnsLogged.class)
class PreferredUpstreamReturnTest {

    private static final Instant T0 = TwoUpstreamFeed.T0;

    @Test
    void aPreferredUpstreamWhoseStreamFailsIsTriedBesideTheFallbackAfterDoublingNumbersOfHealthChecks()
            throws Exception {
        AtomicInteger preferredStreams = new AtomicInteger();
        try (LoopbackUpstream fallback = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream preferred = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(fallback.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ")) {
                     preferredStreams.incrementAndGet();
                     String body = "{\"meta\":{\"code\":\"E_SYNTAX\",\"message\":\"too many subscribers\"}}";
                     out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/alto-error+json\r\n"
                             + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                             .getBytes(US_ASCII));
                     out.flush();
                 }
             });
             CapturedLogs logs = CapturedLogs.of(UpstreamChoice.class)) {
            fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            // longest wait 8 s, a health check every second: the preferred upstream is tried at most every 8 checks
            TwoUpstreamFeed f = new TwoUpstreamFeed(preferred.uri(), List.of(fallback.uri()),
                    new ResponseVerifier(List.of(fallback.origin.publicKey()), new MutableClock(T0.plusSeconds(10))));
            PushFeed feed = f.feed;
            try {
                f.begin();
                f.onFallback();
                assertEquals(1, preferredStreams.get(), "the first stream was the preferred upstream's");
                List<Integer> wentBack = new ArrayList<>();
                for (int round = 1; round <= 20; round++) {
                    f.healthCheck("health check " + round);
                    int tries = messages(logs, "is up again");
                    if (tries > wentBack.size()) { // its stream tried: wait until the try is over
                        wentBack.add(round);
                        LoopbackUpstream.await("try " + tries + " over",
                                () -> messages(logs, "failed on trial") == tries);
                        assertEquals(wentBack.size() + 1, preferredStreams.get(), "a stream of the preferred upstream");
                    }
                    assertTrue(feed.stats().connected(), "the fallback's stream open after health check " + round);
                    assertEquals(1, fallback.streamsAsked(), "streams opened to the fallback, by health check " + round);
                }
                // after each failed try 1, 2, 4, 8, 8 checks are let pass
                assertEquals(List.of(1, 3, 6, 11, 20), wentBack);
                assertEquals(0, f.timers.pendingScheduled(), "no reconnect was ever needed");
                assertEquals(1, fallback.publisher.stats().subscribers(), "the fallback's stream, still open");
            } finally {
                f.close();
            }
        }
    }

    private static int messages(CapturedLogs logs, String part) {
        return (int) logs.events().stream().filter(e -> e.getFormattedMessage().contains(part)).count();
    }
}

package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.RefusedPort;

/**
 * The push feed's reconnects, on a clock only the test moves: against an upstream that refuses
 * every connection (a real closed port on loopback), each failure schedules the next attempt
 * after the backoff, doubling up to the longest wait, and nothing is tried before the test lets
 * the clock reach it.
 */
class PushFeedReconnectTest {

    @Test
    void aRefusingUpstreamIsRetriedWithDoublingWaitsUpToTheLongest() throws Exception {
        try (RefusedPort refused = RefusedPort.open()) {
            int port = refused.port();
            PushFeedConfig config = PushFeedConfig.of(URI.create("http://127.0.0.1:" + port))
                    .withBackoff(Duration.ofMillis(100), Duration.ofMillis(1000));
            ResponseVerifier verifier = new ResponseVerifier(List.of(UpdatePublisherTest.KEY.publicKey()),
                    Clock.systemUTC());
            ManualScheduler clock = new ManualScheduler();
            PushFeed feed = new PushFeed(config, verifier, copy -> { }, clock, () -> 0.5);
            try {
                feed.begin();
                List<Long> waits = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ManualScheduler.Scheduled next = clock.runNextScheduled(30);
                    assertNotNull(next, "no reconnect scheduled after failure " + (i + 1));
                    waits.add(next.delayMillis());
                }
                // Bases 100, 200, 400, 800, 1000, 1000 ms; the pinned draw 0.5 gives three quarters of each.
                assertEquals(List.of(75L, 150L, 300L, 600L, 750L, 750L), waits);
                assertEquals(0, feed.stats().connects(), "the directory was never read, so no stream was opened");
                assertTrue(feed.notReadyBecause().contains("directory"), feed.notReadyBecause());
            } finally {
                feed.close();
            }
        }
    }
}

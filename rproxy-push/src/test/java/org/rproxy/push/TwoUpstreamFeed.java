package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.rproxy.core.sign.ResponseVerifier;
import org.slf4j.LoggerFactory;

/**
 * A push feed with a preferred upstream and fallbacks, for the tests of going back to a preferred
 * upstream ({@link StreamTrialTest}, {@link PreferredUpstreamReturnTest}): the upstreams are the
 * test's, real servers on loopback; the feed's timers and health checks are the test's too
 * ({@link #timers}, a {@link ManualScheduler}): a health check every second, reconnects after
 * 100 ms doubling to 8 s, the jitter's draw pinned at 0.5. Closing it closes the feed.
 */
final class TwoUpstreamFeed implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    final ManualScheduler timers = new ManualScheduler();
    final PushFeed feed;

    /** A feed on {@code preferred}, then each of {@code fallbacks} in order, verifying with {@code verifier}. */
    TwoUpstreamFeed(URI preferred, List<URI> fallbacks, ResponseVerifier verifier) {
        this(preferred, fallbacks, verifier, copy -> { });
    }

    /** As {@link #TwoUpstreamFeed(URI, List, ResponseVerifier)}, handing what it verifies to {@code output}. */
    TwoUpstreamFeed(URI preferred, List<URI> fallbacks, ResponseVerifier verifier, PushFeed.Output output) {
        PushFeedConfig config = PushFeedConfig.of(preferred)
                .withFallbacks(fallbacks, Duration.ofSeconds(1))
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(8));
        this.feed = new PushFeed(config, verifier, output, timers, () -> 0.5);
    }

    /** Makes the feed's first attempt (on the preferred upstream). */
    void begin() {
        feed.begin();
    }

    /** Waits until the preferred upstream's first stream is given up, runs the reconnect, and waits for the fallback's. */
    void onFallback() throws InterruptedException {
        long connects = feed.stats().connects();
        ManualScheduler.Scheduled retry = timers.awaitNextScheduled(5);
        assertNotNull(retry, "the preferred upstream's stream was not given up");
        timers.execute(retry.task());
        LoopbackUpstream.await("the fallback's stream open", () -> feed.stats().connected()
                && feed.stats().connects() > connects && feed.held().get(LoopbackUpstream.NM) != null);
    }

    /** Runs the round of health checks that is scheduled, and waits until it is done. */
    void healthCheck(String which) throws InterruptedException {
        long before = feed.healthChecks();
        assertEquals(1, timers.runPeriodic(), "one health check scheduled");
        LoopbackUpstream.await(which + " done", () -> feed.healthChecks() > before);
    }

    @Override
    public void close() {
        feed.close();
    }

    /**
     * {@link UpstreamChoice} logs each return at INFO, and the tests' configuration logs warnings
     * and errors: registered with {@code @ExtendWith}, its logger is at INFO during each test.
     */
    static final class ReturnsLogged implements BeforeEachCallback, AfterEachCallback {
        private final Logger choice = (Logger) LoggerFactory.getLogger(UpstreamChoice.class);
        private Level level;

        @Override
        public void beforeEach(ExtensionContext context) {
            level = choice.getLevel();
            choice.setLevel(Level.INFO);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            choice.setLevel(level);
        }
    }
}

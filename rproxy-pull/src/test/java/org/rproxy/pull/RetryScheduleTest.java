package org.rproxy.pull;

import static org.rproxy.pull.FeedFixture.MAP;
import static org.rproxy.pull.FeedFixture.MAP_BODY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

import org.junit.jupiter.api.Test;
import org.rproxy.core.server.Reply;
import org.rproxy.core.testing.MutableClock;

/**
 * After a failed attempt a key is asked about again after a pause drawn per failure between half
 * of {@code refresh.retry} and all of it ({@link RetryPause}), so proxies whose refreshes failed
 * together drift apart instead of asking in step; never later than {@code refresh.retry}. The
 * schedule is recorded on the fixture's clock, a pass every 100 ms, with the draws given.
 */
class RetryScheduleTest {

    /** The gaps between a held entry's recovery attempts, in ms, while its upstream stays down, with these draws. */
    private static List<Long> recoverySchedule(double... draws) throws Exception {
        PrimitiveIterator.OfDouble d = DoubleStream.of(draws).iterator();
        try (FeedFixture f = new FeedFixture(1 << 20, () -> d.hasNext() ? d.nextDouble() : 0)) {
            f.upstream.docs.put(MAP, f.signer.sign(MAP, MAP_BODY, false, f.clock.instant(), Duration.ofSeconds(30), 10));
            assertTrue(f.get(MAP) instanceof Reply.Ok);
            f.upstream.down = true;
            f.clock.advance(Duration.ofSeconds(31)); // the copy expired: retried until it comes back
            List<Instant> asked = new ArrayList<>();
            int seen = f.upstream.total();
            for (int step = 0; step < 200 && asked.size() < draws.length + 1; step++) {
                f.feed.tick();
                f.feed.quiet().get(5, TimeUnit.SECONDS);
                if (f.upstream.total() > seen) {
                    seen = f.upstream.total();
                    asked.add(f.clock.instant());
                }
                f.clock.advance(Duration.ofMillis(100));
            }
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < asked.size(); i++) {
                gaps.add(Duration.between(asked.get(i - 1), asked.get(i)).toMillis());
            }
            return gaps;
        }
    }

    @Test
    void eachFailureDrawsItsPauseWithinTheRetryInterval() throws Exception {
        // refresh.retry 5 s: a draw of 0 is all of it, 0.5 three quarters, 0.96 a little over half
        assertEquals(List.of(5000L, 3800L, 2600L), recoverySchedule(0, 0.5, 0.96));
    }

    @Test
    void twoProxiesWhoseRefreshesFailedTogetherAskApart() throws Exception {
        List<Long> one = recoverySchedule(0.1, 0.7, 0.3);
        List<Long> other = recoverySchedule(0.8, 0.2, 0.6);
        assertEquals(List.of(4800L, 3300L, 4300L), one);
        assertEquals(List.of(3000L, 4500L, 3500L), other);
    }

    @Test
    void aMissesFailureIsRememberedForItsDrawnPause() {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
        FailedMisses misses = new FailedMisses(new RetryPause(Duration.ofSeconds(5), () -> 0.5), clock);
        misses.failed(CacheKey.get(MAP), new FetchResult.Failed(504, "down", false));
        clock.advance(Duration.ofMillis(3749));
        assertTrue(misses.recent(CacheKey.get(MAP)) != null, "within its pause");
        clock.advance(Duration.ofMillis(1));
        assertEquals(null, misses.recent(CacheKey.get(MAP)), "3.75 s: three quarters of refresh.retry");
    }

    @Test
    void noPauseIsLongerThanTheRetryIntervalNorShorterThanHalfIt() {
        Instant t = Instant.parse("2025-06-01T12:00:00Z");
        for (double j : new double[] {-1, 0, 0.25, 0.999999, 1, 7}) {
            Duration p = Duration.between(t, new RetryPause(Duration.ofSeconds(5), () -> j).after(t));
            assertTrue(p.compareTo(Duration.ofMillis(2500)) >= 0 && p.compareTo(Duration.ofSeconds(5)) <= 0, j + ": " + p);
        }
    }
}

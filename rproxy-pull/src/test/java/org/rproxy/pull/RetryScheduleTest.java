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
 * After a failed attempt a key is asked about again after a pause whose bound is 2 s after
 * the first failure in a row, doubled at each further one up to {@code refresh.retry}, drawn per
 * failure between half of that bound and all of it ({@link RetryPause}), so proxies whose
 * refreshes failed together drift apart instead of asking in step; never later than
 * {@code refresh.retry}. The schedule is recorded on the fixture's clock, a pass every 100 ms,
 * with the draws given.
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
    void eachFailureInARowDrawsItsPauseWithinABoundDoublingFromTwoSecondsToTheRetryInterval() throws Exception {
        // bounds 2, 4, 5, 5, 5 s (refresh.retry): a draw of 0 is all of one, 0.5 three quarters,
        // 0.96 a little over half; the passes come every 100 ms
        assertEquals(List.of(2000L, 3000L, 2600L, 5000L, 3800L), recoverySchedule(0, 0.5, 0.96, 0, 0.5));
    }

    @Test
    void twoProxiesWhoseRefreshesFailedTogetherAskApart() throws Exception {
        List<Long> one = recoverySchedule(0.1, 0.7, 0.3);
        List<Long> other = recoverySchedule(0.8, 0.2, 0.6);
        assertEquals(List.of(1900L, 2600L, 4300L), one);
        assertEquals(List.of(1200L, 3600L, 3500L), other);
    }

    @Test
    void aMissesFailuresInARowAreRememberedForTheirGrowingPausesUntilTheRunLapses() {
        MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
        FailedMisses misses = new FailedMisses(new RetryPause(Duration.ofSeconds(5), () -> 0.5), clock);
        CacheKey key = CacheKey.get(MAP);
        FetchResult.Failed down = new FetchResult.Failed(504, "down", false);
        misses.failed(key, down);
        clock.advance(Duration.ofMillis(1499));
        assertTrue(misses.recent(key) != null, "within its pause");
        clock.advance(Duration.ofMillis(1));
        assertEquals(null, misses.recent(key), "1.5 s: three quarters of the first bound, 2 s");
        misses.failed(key, down);
        clock.advance(Duration.ofMillis(2999));
        assertTrue(misses.recent(key) != null, "the second in a row: three quarters of 4 s");
        clock.advance(Duration.ofMillis(1));
        assertEquals(null, misses.recent(key));
        clock.advance(Duration.ofSeconds(5)); // refresh.retry past the pause: the run is over
        misses.failed(key, down);
        clock.advance(Duration.ofMillis(1500));
        assertEquals(null, misses.recent(key), "a new run starts from 2 s again");
    }

    @Test
    void aSuccessEndsTheRun() {
        Instant t = Instant.parse("2025-06-01T12:00:00Z");
        Entry e = new Entry(CacheKey.get(MAP), UpstreamCall.PLAIN_GET, false, t);
        RetryPause pause = new RetryPause(Duration.ofSeconds(5), () -> 0);
        for (long bound : new long[] {2000, 4000, 5000, 5000}) {
            assertEquals(t.plusMillis(bound), pause.after(t, e.failures()));
            e.failed(t, pause.after(t, e.failures()), 504, "down");
        }
        e.succeeded();
        assertEquals(t.plusSeconds(2), pause.after(t, e.failures()), "from 2 s again");
    }

    @Test
    void noPauseIsLongerThanItsBoundNorShorterThanHalfItAndNoneLongerThanTheRetryInterval() {
        Instant t = Instant.parse("2025-06-01T12:00:00Z");
        for (int before : new int[] {0, 1, 2, 3, 40, Integer.MAX_VALUE}) {
            long bound = Math.min(5000, 2000L << Math.min(30, before));
            for (double j : new double[] {-1, 0, 0.25, 0.999999, 1, 7}) {
                long p = Duration.between(t, new RetryPause(Duration.ofSeconds(5), () -> j).after(t, before)).toMillis();
                assertTrue(p >= bound / 2 && p <= bound, before + ", " + j + ": " + p);
            }
        }
        assertEquals(t.plusMillis(300), new RetryPause(Duration.ofMillis(300), () -> 0).after(t, 0),
                "a refresh.retry under 2 s bounds the first pause too");
    }
}

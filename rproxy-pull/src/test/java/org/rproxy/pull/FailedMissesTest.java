package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.rproxy.core.testing.MutableClock;

class FailedMissesTest {
    final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
    final FailedMisses misses = new FailedMisses(new RetryPause(Duration.ofSeconds(5), () -> 0), clock);
    final FetchResult.Failed refused = new FetchResult.Failed(504, "upstream unreachable: connection refused", false);

    @Test
    void aFailureIsAnsweredForItsPauseThenForgottenOnceItsRunLapses() {
        misses.failed(CacheKey.get("/a"), refused);
        clock.advance(Duration.ofMillis(1_999)); // the first failure in a row: a pause of 2 s (drawn whole)
        assertEquals(refused, misses.recent(CacheKey.get("/a")));
        assertNull(misses.recent(CacheKey.get("/b")));
        clock.advance(Duration.ofMillis(1));
        assertNull(misses.recent(CacheKey.get("/a")));
        assertEquals(1, misses.size(), "kept while a failure soon after would continue its run");
        clock.advance(Duration.ofSeconds(5));
        assertNull(misses.recent(CacheKey.get("/a")));
        assertEquals(0, misses.size(), "gone once looked up past refresh.retry after its pause");
    }

    @Test
    void clientsChoosingTargetsCannotGrowItPastItsBound() {
        for (int i = 0; i < FailedMisses.MAX_KEYS + 100; i++) {
            misses.failed(CacheKey.get("/made-up/" + i), refused);
        }
        assertEquals(FailedMisses.MAX_KEYS, misses.size());
        assertNull(misses.recent(CacheKey.get("/made-up/" + FailedMisses.MAX_KEYS)), "past the bound: asked again");
        clock.advance(Duration.ofSeconds(5));
        misses.failed(CacheKey.get("/later"), refused);
        assertEquals(1, misses.size(), "the failures past their interval went first");
        assertNotNull(misses.recent(CacheKey.get("/later")));
    }
}

package org.rproxy.core.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void theWaitDoublesFromTheFirstUpToTheLongest() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(3), () -> 0.999_999);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            waits.add(b.nextDelayMillis());
        }
        // The top of each jitter range: the base itself (less a rounding millisecond at most).
        assertEquals(List.of(199L, 399L, 799L, 1599L, 2999L, 2999L, 2999L), waits);
    }

    @Test
    void jitterDrawsFromTheUpperHalfOfTheBase() {
        assertEquals(400, new Backoff(Duration.ofMillis(800), Duration.ofSeconds(30), () -> 0.0).nextDelayMillis());
        assertEquals(600, new Backoff(Duration.ofMillis(800), Duration.ofSeconds(30), () -> 0.5).nextDelayMillis());
    }

    @Test
    void anAcceptedSubscriptionStartsTheBackoffAfresh() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 0.0);
        b.nextDelayMillis();
        b.nextDelayMillis();
        assertEquals(200, b.nextDelayMillis()); // base 400
        b.reset();
        assertEquals(0, b.failures());
        assertEquals(50, b.nextDelayMillis()); // base 100
    }

    @Test
    void manyFailuresNeverOverflowTheWait() {
        Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofDays(1), () -> 0.0);
        long last = 0;
        for (int i = 0; i < 200; i++) {
            last = b.nextDelayMillis();
        }
        assertEquals(Duration.ofDays(1).toMillis() / 2, last);
    }

    @Test
    void badSettingsAndDrawsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0));
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1), () -> 1.0);
        assertThrows(IllegalStateException.class, b::nextDelayMillis);
    }
}

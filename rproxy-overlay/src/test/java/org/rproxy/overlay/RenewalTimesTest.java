package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The renewals' times a test may set: the product's as they were, and a time out of its range refused by name. */
class RenewalTimesTest {
    private static final Duration S = Duration.ofSeconds(1);

    @Test
    void theDefaultsAreTheProductsTimes() {
        RenewalTimes d = RenewalTimes.DEFAULT;
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofMinutes(1)), d.settle());
        assertEquals(Duration.ofSeconds(1), d.retry());
        assertEquals(Duration.ofSeconds(10), d.unreached());
        assertEquals(Duration.ofMinutes(2), d.unreachedCap());
        assertEquals(Duration.ofSeconds(1), d.growthCheck());
    }

    @Test
    void aTimeOutOfItsRangeIsRefusedNamingItAndTheRange() {
        assertEquals("settle[1]: 1s (expected: above 1s: counted from the first store, ascending)",
                refused(List.of(S, S), S.dividedBy(2), S, S, S));
        assertEquals("settle[0]: 0s (expected: above 0s: counted from the first store, ascending)",
                refused(List.of(Duration.ZERO), S.dividedBy(2), S, S, S));
        assertEquals("unreached: 0s (expected: above zero)", refused(List.of(), S, Duration.ZERO, S, S));
        assertEquals("retry: 1s (expected: below unreached, 1s)", refused(List.of(), S, S, S, S));
        assertEquals("unreachedCap: 1s (expected: at least unreached, 2s)",
                refused(List.of(), S, S.multipliedBy(2), S, S));
        assertEquals("growthCheck: 3s (expected: at most unreached, 2s)",
                refused(List.of(), S, S.multipliedBy(2), S.multipliedBy(2), S.multipliedBy(3)));
        assertEquals("retry: -1s (expected: above zero)", refused(List.of(), S.negated(), S, S, S));
    }

    private static String refused(List<Duration> settle, Duration retry, Duration unreached, Duration cap, Duration check) {
        return assertThrows(IllegalArgumentException.class, () -> new RenewalTimes(settle, retry, unreached, cap, check))
                .getMessage();
    }
}

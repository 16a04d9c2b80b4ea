package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RetryAfterTest {

    @Test
    void secondsAreWaitedCappedAtFive() {
        assertEquals(1_000, RetryAfter.millis("1"));
        assertEquals(2_000, RetryAfter.millis(" 2 "));
        assertEquals(5_000, RetryAfter.millis("120"));
    }

    @Test
    void aMissingOrUnreadableHeaderWaitsOneSecond() {
        assertEquals(1_000, RetryAfter.millis(null));
        assertEquals(1_000, RetryAfter.millis("Wed, 21 Oct 2026 07:28:00 GMT"));
        assertEquals(1_000, RetryAfter.millis("-3"));
    }
}

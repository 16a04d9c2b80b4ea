package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-10-21T07:28:00Z");

    @Test
    void secondsAreWaitedInFullWithoutTheOldFiveSecondCap() {
        assertEquals(1_000, RetryAfter.millis("1", NOW));
        assertEquals(2_000, RetryAfter.millis(" 2 ", NOW));
        assertEquals(30_000, RetryAfter.millis("30", NOW), "was 5,000: the cap shortened the node's back-off");
        assertEquals(120_000, RetryAfter.millis("120", NOW));
        assertEquals(0, RetryAfter.millis("0", NOW));
        assertEquals(RetryAfter.MAX_MILLIS, RetryAfter.millis("99999999999999999999", NOW), "no overflow");
    }

    @Test
    void anHttpDateIsWaitedUntilInEachFormARecipientMustAccept() {
        assertEquals(30_000, RetryAfter.millis("Wed, 21 Oct 2026 07:28:30 GMT", NOW), "IMF-fixdate; was 1,000");
        assertEquals(45_000, RetryAfter.millis("Wednesday, 21-Oct-26 07:28:45 GMT", NOW), "RFC 850");
        assertEquals(10_000, RetryAfter.millis("Wed Oct 21 07:28:10 2026", NOW), "asctime");
        assertEquals(0, RetryAfter.millis("Wed, 21 Oct 2026 07:27:00 GMT", NOW), "a date passed: no wait");
    }

    @Test
    void aMissingOrUnreadableHeaderWaitsOneSecond() {
        assertEquals(1_000, RetryAfter.millis(null, NOW));
        assertEquals(1_000, RetryAfter.millis("soon", NOW));
        assertEquals(1_000, RetryAfter.millis("-3", NOW));
        assertEquals(1_000, RetryAfter.millis("", NOW));
    }
}

package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RefusalWarningsTest {

    @Test
    void eachPublisherIsWarnedOfAtMostOncePerPeriod() {
        AtomicLong now = new AtomicLong();
        RefusalWarnings w = new RefusalWarnings(now::get);
        assertTrue(w.refused("aa", "magnet:?x", "DIGEST_MISMATCH"), "the first refusal of a publisher");
        assertFalse(w.refused("aa", "magnet:?x", "DIGEST_MISMATCH"), "again within the period");
        assertTrue(w.refused("bb", "magnet:?y", "DIGEST_MISMATCH"), "another publisher's is its own");
        now.addAndGet(RefusalWarnings.EVERY.toNanos());
        assertTrue(w.refused("aa", "magnet:?x", "DIGEST_MISMATCH"), "once the period has passed");
        assertTrue(w.refused(null, "magnet:?z", "EXPIRED"), "a publisher not known");
    }
}

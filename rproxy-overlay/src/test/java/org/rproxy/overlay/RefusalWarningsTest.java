package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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

    /** What an operator reads: the line, and the count of a publisher's refusals held back, in the overlay's words. */
    @Test
    void theLineSaysWhatWasRefusedFromWhomWhyAndHowManyMore() {
        Logger client = (Logger) LoggerFactory.getLogger(OverlayClient.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        client.addAppender(lines);
        try {
            AtomicLong now = new AtomicLong();
            RefusalWarnings w = new RefusalWarnings(now::get);
            w.refused("aa", "magnet:?x", "DIGEST_MISMATCH");
            w.refused("aa", "magnet:?y", "EXPIRED");
            w.refused("aa", "magnet:?y", "EXPIRED");
            now.addAndGet(RefusalWarnings.EVERY.toNanos());
            w.refused("aa", "magnet:?z", "ROLLBACK");
            w.refused(null, "magnet:?u", "EXPIRED");
            assertEquals(List.of("overlay: refused magnet:?x from publisher aa: DIGEST_MISMATCH",
                    "overlay: refused magnet:?z from publisher aa: ROLLBACK (and 2 more of this publisher's since the last warning)",
                    "overlay: refused magnet:?u from publisher (unknown): EXPIRED"),
                    lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList());
        } finally {
            client.detachAppender(lines);
        }
    }
}

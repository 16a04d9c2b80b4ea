package org.rproxy.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("rproxy.test.RateLimitedLogTest");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    /** The log's time: nanoseconds, as {@link System#nanoTime} (an arbitrary origin, here near the wrap). */
    private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - Duration.ofSeconds(5).toNanos());
    private final RateLimitedLog log;

    RateLimitedLogTest() {
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        log = new RateLimitedLog(Duration.ofSeconds(10), nanos::get, RateLimitedLog.SUBJECTS);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private List<String> lines() {
        return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Test
    void firstIsWrittenThenOnePerIntervalWithTheCountHeldBack() {
        assertTrue(log.warn(logger, "peer {} misbehaved", "a"));
        for (int i = 0; i < 1000; i++) {
            assertFalse(log.warn(logger, "peer {} misbehaved", "b" + i));
        }
        advance(Duration.ofMillis(9_999));
        assertFalse(log.warn(logger, "peer {} misbehaved", "c"));
        advance(Duration.ofMillis(1));
        assertTrue(log.warn(logger, "peer {} misbehaved", "d"));
        assertFalse(log.warn(logger, "peer {} misbehaved", "e"));
        advance(Duration.ofSeconds(10));
        assertTrue(log.warn(logger, "peer {} misbehaved", "f"));
        assertEquals(List.of("WARN peer a misbehaved", "WARN peer d misbehaved (1001 more like this not logged)",
                "WARN peer f misbehaved (1 more like this not logged)"), lines());
    }

    @Test
    void eachFormatHasItsOwnInterval() {
        assertTrue(log.warn(logger, "one {}", 1));
        assertTrue(log.error(logger, "two {}", 2));
        assertFalse(log.warn(logger, "one {}", 3));
        assertFalse(log.error(logger, "two {}", 4));
        assertEquals(List.of("WARN one 1", "ERROR two 2"), lines());
    }

    @Test
    void eachLoggerHasItsOwnInterval() {
        Logger other = (Logger) LoggerFactory.getLogger("rproxy.test.RateLimitedLogOther");
        other.setAdditive(false);
        other.setLevel(Level.OFF);
        assertTrue(log.warn(logger, "same {}", 1));
        assertFalse(log.warn(other, "same {}", 2), "off: not written");
        other.setLevel(Level.INFO);
        other.addAppender(appender);
        try {
            assertTrue(log.warn(other, "same {}", 3));
            assertFalse(log.warn(logger, "same {}", 4));
        } finally {
            other.detachAppender(appender);
        }
        assertEquals(List.of("WARN same 1", "WARN same 3"), lines());
    }

    @Test
    void aTrailingThrowableStaysTheThrowable() {
        IOException boom = new IOException("boom");
        log.error(logger, "call {} failed", "x", boom);
        log.error(logger, "call {} failed", "y", boom);
        advance(Duration.ofSeconds(10));
        log.error(logger, "call {} failed", "z", boom);
        assertEquals(List.of("ERROR call x failed", "ERROR call z failed (1 more like this not logged)"), lines());
        for (ILoggingEvent e : appender.list) {
            assertEquals("java.io.IOException", e.getThrowableProxy().getClassName());
        }
    }

    @Test
    void nothingIsCountedWhileTheLevelIsOff() {
        logger.setLevel(Level.OFF);
        assertFalse(log.warn(logger, "quiet {}", 1));
        logger.setLevel(Level.INFO);
        assertTrue(log.warn(logger, "quiet {}", 2));
        assertEquals(List.of("WARN quiet 2"), lines());
        assertNull(appender.list.get(0).getThrowableProxy());
    }

    @Test
    void eachSubjectHasItsOwnIntervalAndCount() {
        assertTrue(log.warnAbout(logger, "peer-a", "peer {} sent {}", "peer-a", "junk 1"));
        assertFalse(log.warnAbout(logger, "peer-a", "peer {} sent {}", "peer-a", "junk 2"));
        assertFalse(log.warnAbout(logger, "peer-a", "peer {} sent {}", "peer-a", "junk 3"));
        assertTrue(log.warnAbout(logger, "peer-b", "peer {} sent {}", "peer-b", "junk 4"), "another subject's own interval");
        assertTrue(log.warn(logger, "peer {} sent {}", "peer-c", "junk 5"), "the unkeyed kind is apart");
        advance(Duration.ofSeconds(10));
        assertTrue(log.warnAbout(logger, "peer-a", "peer {} sent {}", "peer-a", "junk 6"));
        assertTrue(log.warnAbout(logger, "peer-b", "peer {} sent {}", "peer-b", "junk 7"));
        assertEquals(List.of("WARN peer peer-a sent junk 1", "WARN peer peer-b sent junk 4", "WARN peer peer-c sent junk 5",
                "WARN peer peer-a sent junk 6 (2 more like this not logged)", "WARN peer peer-b sent junk 7"), lines());
    }

    @Test
    void admitLeavesTheLineAndTheCountsWordingToTheCaller() {
        assertEquals(0, log.admit(logger, "refused {}", "p"));
        assertEquals(-1, log.admit(logger, "refused {}", "p"));
        assertEquals(-1, log.admit(logger, "refused {}", "p"));
        assertEquals(0, log.admit(logger, "refused {}", "q"));
        advance(Duration.ofSeconds(10));
        assertEquals(2, log.admit(logger, "refused {}", "p"));
        assertEquals(List.of(), lines(), "admit writes nothing");
    }

    @Test
    void theSubjectsTrackedAreBoundedForgettingThoseWhoseIntervalPassedFirst() {
        RateLimitedLog two = new RateLimitedLog(Duration.ofSeconds(10), nanos::get, 2);
        assertEquals(0, two.admit(logger, "f", "a"));
        assertEquals(-1, two.admit(logger, "f", "a"));
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals(0, two.admit(logger, "f", "b"));
        assertEquals(0, two.admit(logger, "f", "c"), "a third subject: a (its interval passed) is forgotten");
        assertEquals(0, two.admit(logger, "f", "a"), "a again, its count gone with it");
        assertEquals(-1, two.admit(logger, "f", "a"));
    }

    @Test
    void intervalsRunAcrossTheTickersWrap() {
        assertTrue(log.warn(logger, "tick {}", 1));
        advance(Duration.ofSeconds(10)); // past Long.MAX_VALUE, as System.nanoTime may go
        assertTrue(nanos.get() < 0, "wrapped");
        assertTrue(log.warn(logger, "tick {}", 2));
        assertFalse(log.warn(logger, "tick {}", 3));
        assertEquals(List.of("WARN tick 1", "WARN tick 2"), lines());
    }

    @Test
    void intervalMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RateLimitedLog(Duration.ZERO));
        assertEquals("interval: PT0S (expected: > 0)", e.getMessage());
    }
}

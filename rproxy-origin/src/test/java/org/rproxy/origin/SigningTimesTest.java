package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;

/**
 * The origin's signing times: a second after the last at least, and the warning when that puts
 * them ahead of the clock names the cause and what the operator should do: a clock stepped back
 * is told once, as such, with what to check and not to restart; maps changing too often are told
 * as that. Before, a step back was reported at every version as maps changing more often than
 * once a second, with nothing to do.
 */
class SigningTimesTest {
    private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void aClockSteppedBackIsWarnedOnceWithWhatToDoAndTheCatchUpIsTold() {
        MutableClock clock = new MutableClock(T);
        SigningTimes times = new SigningTimes(clock);
        Logger logger = (Logger) LoggerFactory.getLogger(Origin.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' configuration logs warnings only
        try (CapturedLogs logs = CapturedLogs.of(Origin.class)) {
            assertEquals(T, times.next());
            clock.advance(Duration.ofSeconds(-120));
            assertEquals(T.plusSeconds(1), times.next(), "a second after the last, not at the clock");
            clock.advance(Duration.ofSeconds(30));
            assertEquals(T.plusSeconds(2), times.next());
            List<String> warnings = messages(logs, Level.WARN);
            assertEquals(1, warnings.size(), warnings.toString());
            String w = warnings.get(0);
            assertTrue(w.startsWith("the clock went back 120 s (to 2026-12-06T09:58:00Z): versions are signed a second"
                    + " after the last one, 121 s ahead of the clock"), w);
            assertTrue(w.contains("Check the clock (NTP)") && w.contains("Do not restart the origin"), w);
            assertTrue(w.contains("refuse versions created over 60 s ahead of it"), "over the verifiers' skew: " + w);
            assertFalse(w.contains("more often than once a second"), w);
            clock.advance(Duration.ofSeconds(100)); // past the last signing time
            assertEquals(T.plusSeconds(10), times.next(), "at the clock's time again");
            assertEquals(List.of("the clock has passed the last signing time again: versions are signed at the"
                    + " clock's time"), messages(logs, Level.INFO));
            assertEquals(1, messages(logs, Level.WARN).size());
        } finally {
            logger.setLevel(level);
        }
    }

    @Test
    void aStepBackWithinTheVerifiersSkewNeedsNothing() {
        MutableClock clock = new MutableClock(T);
        SigningTimes times = new SigningTimes(clock);
        try (CapturedLogs logs = CapturedLogs.of(Origin.class)) {
            times.next();
            clock.advance(Duration.ofSeconds(-30));
            assertEquals(T.plusSeconds(1), times.next());
            String w = messages(logs, Level.WARN).get(0);
            assertTrue(w.contains("nothing needs doing. Do not restart the origin"), w);
        }
    }

    @Test
    void mapsChangingMoreOftenThanOnceASecondAreWarnedAsSuchPastTenSeconds() {
        MutableClock clock = new MutableClock(T);
        SigningTimes times = new SigningTimes(clock);
        try (CapturedLogs logs = CapturedLogs.of(Origin.class)) {
            for (int i = 0; i <= 10; i++) {
                assertEquals(T.plusSeconds(i), times.next());
            }
            assertEquals(List.of(), messages(logs, Level.WARN), "10 s ahead: no warning yet");
            assertEquals(T.plusSeconds(11), times.next());
            List<String> warnings = messages(logs, Level.WARN);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("the maps change more often than once a second: this version is"
                    + " signed 11 s ahead of the clock"), warnings.get(0));
            assertFalse(warnings.get(0).contains("clock went back"), warnings.get(0));
        }
    }

    private static List<String> messages(CapturedLogs logs, Level level) {
        return logs.events().stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}

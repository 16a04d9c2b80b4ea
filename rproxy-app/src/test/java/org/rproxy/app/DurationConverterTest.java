package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({"90s, PT1M30S", "15m, PT15M", "1h, PT1H", "2d, PT48H", "500ms, PT0.5S", "PT1H, PT1H", "pt30s, PT30S",
            "365d, PT8760H"})
    void readsOperatorDurations(String text, String iso) {
        assertEquals(Duration.parse(iso), DurationConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "h", "10x", "ten seconds", "1.5h", "99999999999999999d"})
    void refusesWhatIsNotADuration(String text) {
        assertEquals("'" + text + "' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
                assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-5s", "0ms", "PT0S"})
    void refusesADurationThatIsNotPositive(String text) {
        assertEquals("'" + text + "' must be a positive duration",
                assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"366d", "300000d", "8761h"})
    void refusesADurationLongerThanAYear(String text) {
        assertEquals("'" + text + "' is too long (expected: at most 365d)",
                assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text)).getMessage());
        assertThrows(TypeConversionException.class, () -> new DurationConverter.AllowingZero().convert(text));
    }

    @Test
    void zeroIsAllowedWhereItMeansAtOnce() throws Exception {
        DurationConverter.AllowingZero zero = new DurationConverter.AllowingZero();
        assertEquals(Duration.ZERO, zero.convert("0s"));
        assertEquals(Duration.ofSeconds(30), zero.convert("30s"));
        assertEquals("'-1s' must be 0s or a positive duration",
                assertThrows(TypeConversionException.class, () -> zero.convert("-1s")).getMessage());
    }

    @Test
    void theCommandLineNamesTheOptionAndTheReason() {
        CommandRun validity = CommandRun.of("origin", "--maps", "maps", "--key", "k", "--validity", "0s");
        assertEquals(2, validity.exit(), validity.toString());
        assertTrue(validity.err().startsWith("rproxy origin: Invalid value for option '--validity': '0s' must be a positive duration"),
                validity.toString());
        CommandRun maxAge = CommandRun.of("origin", "--maps", "maps", "--key", "k", "--max-age", "-5s");
        assertTrue(maxAge.err().startsWith("rproxy origin: Invalid value for option '--max-age': '-5s' must be a positive duration"),
                maxAge.toString());
        CommandRun timeout = CommandRun.of("fetch", "http://127.0.0.1:1/directory", "--trust", "k", "--timeout", "300000d");
        assertEquals(2, timeout.exit(), timeout.toString());
        assertTrue(timeout.err().startsWith("Invalid value for option '--timeout': '300000d' is too long (expected: at"
                + " most 365d)"), timeout.toString());
        // --delete-settle 0s takes a deleted file off the air at once: the option is taken, and the
        // command goes on to what is missing.
        CommandRun settle = CommandRun.of("origin", "--key", "k", "--delete-settle", "0s");
        assertEquals(2, settle.exit(), settle.toString());
        assertEquals("rproxy origin: give either --maps DIR or --sign-upstream URL", settle.err().strip(),
                settle.toString());
    }
}

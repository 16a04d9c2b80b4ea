package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({"90s, PT1M30S", "15m, PT15M", "1h, PT1H", "2d, PT48H", "500ms, PT0.5S", "PT1H, PT1H", "pt30s, PT30S"})
    void readsOperatorDurations(String text, String iso) {
        assertEquals(Duration.parse(iso), DurationConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "h", "10x", "-5s", "0s", "ten seconds", "1.5h"})
    void refusesWhatIsNotAPositiveDuration(String text) {
        assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text));
    }
}

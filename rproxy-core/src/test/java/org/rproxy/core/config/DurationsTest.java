package org.rproxy.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Durations as operators write them, and as the product writes them back. */
class DurationsTest {

    @Test
    void describeWritesWholeUnitsLargestFirstNeverTheIsoForm() {
        assertEquals("1h58m56s", Durations.describe(Duration.ofSeconds(7136).plusMillis(900)));
        assertEquals("1s", Durations.describe(Duration.ofSeconds(1)));
        assertEquals("2d3h", Durations.describe(Duration.ofDays(2).plusHours(3)));
        assertEquals("1m5s", Durations.describe(Duration.ofSeconds(65)));
        assertEquals("250ms", Durations.describe(Duration.ofMillis(250)));
        assertEquals("0ms", Durations.describe(Duration.ZERO));
        assertEquals("-1m", Durations.describe(Duration.ofMinutes(-1)));
    }

    @Test
    void formatIsTheShortestFormParseTakesBack() {
        for (Duration d : new Duration[] {Duration.ofSeconds(1), Duration.ofMillis(1500), Duration.ofHours(2),
                Duration.ofSeconds(7136)}) {
            assertEquals(d, Durations.parse(Durations.format(d)));
        }
        assertEquals("1s", Durations.format(Duration.ofSeconds(1)));
    }
}

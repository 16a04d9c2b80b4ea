package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArrivalScheduleTest {

    private static long[] offsets(ArrivalSchedule s, long n, Duration limit, long seed) {
        ArrivalSchedule.Arrivals a = s.start(n, limit, seed);
        long[] out = new long[(int) n];
        int k = 0;
        for (long t; (t = a.next()) >= 0; ) {
            out[k++] = t;
        }
        return Arrays.copyOf(out, k);
    }

    @ParameterizedTest
    @ValueSource(strings = {"flash:10s", "poisson:500", "steady:250"})
    void theSameSeedGivesTheSameArrivalsAndAnotherSeedOthers(String spec) {
        ArrivalSchedule s = ArrivalSchedule.parse(spec);
        assertArrayEquals(offsets(s, 2_000, null, 7), offsets(s, 2_000, null, 7));
        if (s.kind() != ArrivalSchedule.Kind.STEADY) {
            assertFalse(Arrays.equals(offsets(s, 2_000, null, 7), offsets(s, 2_000, null, 8)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"flash:10s", "poisson:500", "steady:250"})
    void arrivalsNeverGoBackInTime(String spec) {
        long[] t = offsets(ArrivalSchedule.parse(spec), 5_000, null, 3);
        for (int i = 1; i < t.length; i++) {
            assertTrue(t[i] >= t[i - 1], "arrival " + i);
        }
    }

    @Test
    void aFlashBringsExactlyNViewersInsideTheWindowSpreadEvenly() {
        long[] t = offsets(ArrivalSchedule.flash(Duration.ofSeconds(60)), 1_000_000, null, 1);
        assertEquals(1_000_000, t.length);
        assertTrue(t[0] >= 0 && t[t.length - 1] < 60_000_000_000L);
        // each tenth of the window holds a tenth of the crowd
        int[] tenths = new int[10];
        for (long v : t) {
            tenths[(int) (v / 6_000_000_000L)]++;
        }
        for (int n : tenths) {
            assertEquals(100_000, n, 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"poisson:1000, 0.02", "steady:1000, 0.0001"})
    void aRateScheduleArrivesAtItsRate(String spec, double tolerance) {
        long[] t = offsets(ArrivalSchedule.parse(spec), 100_000, null, 5);
        double seconds = t[t.length - 1] / 1e9;
        assertEquals(100.0, seconds, 100.0 * tolerance, "100,000 arrivals at 1,000/s take about 100 s");
    }

    @Test
    void aDurationLimitCutsTheScheduleShort() {
        long[] t = offsets(ArrivalSchedule.steady(100), 1_000_000, Duration.ofSeconds(10), 1);
        assertEquals(1_000, t.length);
        long[] p = offsets(ArrivalSchedule.poisson(100), 1_000_000, Duration.ofSeconds(10), 1);
        assertTrue(p.length > 850 && p.length < 1_150, "poisson arrivals in 10 s at 100/s: " + p.length);
        assertTrue(p[p.length - 1] < 10_000_000_000L);
    }

    @Test
    void theArrivalCountIsWhatWasHandedOut() {
        ArrivalSchedule.Arrivals a = ArrivalSchedule.steady(10).start(3, null, 1);
        assertEquals(0, a.next());
        assertEquals(100_000_000, a.next());
        assertEquals(2, a.count());
        a.next();
        assertEquals(-1, a.next());
        assertEquals(3, a.count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"flash", "flash:", "flash:-5s", "poisson:0", "steady:abc", "burst:10", "steady:NaN"})
    void badSpecificationsAreRefusedNamingTheArrival(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrivalSchedule.parse(spec));
        assertTrue(e.getMessage().startsWith("--arrival: '" + spec + "'"), e.getMessage());
    }
}

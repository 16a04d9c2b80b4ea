package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerifyModeTest {
    @ParameterizedTest
    @CsvSource({"all, 1.0", "ALL, 1.0", "none, 0.0", "sample:0.25, 0.25"})
    void modesParse(String text, double share) {
        assertEquals(share, VerifyMode.parse(text).share());
    }

    @Test
    void aSampleChecksAboutItsShareAndAllAndNoneAreExact() {
        VerifyMode s = VerifyMode.parse("sample:0.1");
        int checked = 0;
        for (long n = 1; n <= 100_000; n++) {
            checked += s.checks(n) ? 1 : 0;
            assertEquals(true, VerifyMode.ALL.checks(n));
            assertEquals(false, VerifyMode.NONE.checks(n));
        }
        assertEquals(10_000, checked, 500);
    }

    @Test
    void badModesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> VerifyMode.parse("some"));
        assertThrows(IllegalArgumentException.class, () -> VerifyMode.parse("sample:2"));
        assertThrows(IllegalArgumentException.class, () -> VerifyMode.parse("sample:x"));
    }
}

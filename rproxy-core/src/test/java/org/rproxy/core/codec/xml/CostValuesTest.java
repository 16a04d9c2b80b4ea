package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMode;

class CostValuesTest {

    @ParameterizedTest
    @CsvSource({
            "5, 5",
            "-0.0, 0",
            "15.0, 15",
            "-3, -3",
            "0.5, 0.5",
            "0.1, 0.1",
            "1e-7, 1E-7",
            "-2.5e-10, -2.5E-10",
            "123456789.25, 123456789.25",
            "999999999999999, 999999999999999",
            "1e15, 1E15",
            "1.5e20, 1.5E20",
            "12345678901234567890, 12345678901234567000",
            "2.5e25, 2.5E25",
            "2e23, 2E23"})
    void writesIntegersPlainAndOthersInTheShorterNotation(double value, String written) {
        assertEquals(written, CostValues.format(value));
    }

    @ParameterizedTest
    @ValueSource(doubles = {5, 0.5, 1e-7, -2.5e-10, 123456789.25, 1.5e20, Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2, 2e23, 1e23})
    void readsBackWhatItWrites(double value) {
        assertEquals(value, CostValues.parse(CostValues.format(value), CostMode.NUMERICAL, "c"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 5", "5 ", "+5", "05", "5.", ".5", "0x10", "NaN", "Infinity", "1e400", "5d", "1,5", "1e"})
    void refusesWhatIsNotAJsonNumber(String text) {
        AltoException e = assertThrows(AltoException.class, () -> CostValues.parse(text, CostMode.NUMERICAL, "c"));

        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, e.error().code());
        assertEquals("c", e.error().field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5", "0.9"})
    void refusesRanksThatAreNotPositiveIntegers(String text) {
        assertThrows(AltoException.class, () -> CostValues.parse(text, CostMode.ORDINAL, "c"));
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "3.0, 3", "1e2, 100"})
    void acceptsRanksWrittenAsIntegralNumbers(String text, double rank) {
        assertEquals(rank, CostValues.parse(text, CostMode.ORDINAL, "c"));
    }
}

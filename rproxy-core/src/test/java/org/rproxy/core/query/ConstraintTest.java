package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.AltoErrorCode;

class ConstraintTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "le 10       | LE | 10",
        "gt -1.5     | GT | -1.5",
        "eq 0        | EQ | 0",
        "ge 1e3      | GE | 1000",
        "'  lt   7 ' | LT | 7",
        "lt 2.5E-1   | LT | 0.25",
    })
    void parsesOperatorAndNumber(String text, Constraint.Operator op, double value) {
        assertEquals(new Constraint(op, value), Constraint.parse(text, "constraints[0]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "le", "10", "lte 5", "LE 5", "le NaN", "le Infinity", "le 0x10", "le 10d",
        "le +5", "le 01", "le 1.", "le .5", "le 5 6", "le 1e", "le 1e999", "le5"})
    void refusesAnythingElse(String text) {
        assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "constraints[3]", () -> Constraint.parse(text, "constraints[3]"));
    }

    @ParameterizedTest
    @CsvSource({
        "lt 5, 4.99, true", "lt 5, 5, false",
        "le 5, 5, true", "le 5, 5.01, false",
        "gt 5, 5.01, true", "gt 5, 5, false",
        "ge 5, 5, true", "ge 5, 4.99, false",
        "eq 5, 5, true", "eq 5, 5.5, false",
    })
    void tests(String text, double cost, boolean expected) {
        assertEquals(expected, Constraint.parse(text, "c").test(cost));
    }

    @Test
    void writesACanonicalText() {
        assertEquals("le 10", Constraint.parse("le   10.0", "c").toWire());
        assertEquals("gt 0.25", Constraint.parse("gt 2.5e-1", "c").toWire());
    }
}

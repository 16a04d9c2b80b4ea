package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

/**
 * A body Jackson refuses for a non-standard form it could be told to accept is refused with the
 * gist and the place, not with Jackson's advice on which of its features to enable.
 */
class JsonSyntaxHintTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            NaN              | {"a": NaN}            | NaN
            Infinity         | {"a": Infinity}       | Infinity
            minus Infinity   | {"a": -Infinity}      | Infinity
            single quotes    | {'a': 1}              | ('''
            comment          | {"a": 1 /* c */}      | comment
            line comment     | {"a": 1} // c         | comment
            hash comment     | `{"a": 1 # c\n}`      | `#`
            trailing comma   | {"a": 1,}             | line 1
            trailing comma in array | [1, 2,]        | line 1
            leading zero     | {"a": 01}             | zero
            leading plus     | {"a": +1}             | +
            unquoted name    | {a: 1}                | a
            control char     | {"a": "x\ty"}         | line 1
            """)
    void noFeatureHintReachesTheClient(String what, String body, String gist) {
        String text = body.replace("\\n", "\n").replace("\\t", "\t");
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(text.getBytes(StandardCharsets.UTF_8)));
        String m = e.message();
        assertFalse(m.contains("enable"), m);
        assertFalse(m.contains("Feature"), m);
        assertFalse(m.contains("JsonReadFeature"), m);
        assertFalse(m.contains("com.fasterxml"), m);
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains("line 1, column "), m);
        assertTrue(m.contains(gist), m);
    }

    /**
     * A parser limit is named by its figures, not by the Jackson method that holds it: the
     * reason once read {@code maximum allowed (1000, from )}, the method's name cut out of it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nesting depth | 1001 | Document nesting depth (1001) exceeds the maximum allowed (1000)
            number length | 1200 | Number value length (1200) exceeds the maximum allowed (1000)
            """)
    void aParserLimitIsNamedByItsFigures(String what, int size, String reason) {
        String body = what.startsWith("nesting") ? "[".repeat(size) + "]".repeat(size) : "[" + "1".repeat(size) + "]";
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals("JSON exceeds a parser limit: " + reason, e.message());
    }
}

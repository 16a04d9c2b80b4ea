package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

class JsonSyntaxTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesAnObject() {
        assertEquals(5, AltoJson.parse(utf8("{\"a\": [1, 2, {\"b\": 5}]}")).get("a").get(2).get("b").intValue());
    }

    @Test
    void malformedJsonIsSyntaxErrorWithLineAndColumn() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\n  \"a\": 1,\n  \"b\" 2\n}")));
        assertTrue(e.message().contains("line 3"), e.message());
        assertTrue(e.message().contains("column"), e.message());
        assertEquals(400, e.httpStatus());
    }

    @Test
    void repeatedMemberNameIsRefused() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\"pids\": [\"A\"], \"pids\": [\"B\"]}")));
        assertTrue(e.message().contains("pids"), e.message());
    }

    @Test
    void repeatedMemberNameIsRefusedInNestedObjects() {
        assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\"cost-map\": {\"P\": {\"Q\": 1, \"Q\": 2}}}")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{} {}", "{\"a\":1} x", "[1,]", "{\"a\": NaN}", "{'a': 1}", "{\"a\": 01}"})
    void refusesWhatIsNotExactlyOneJsonValue(String text) {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(utf8(text)));
        assertFalse(e.message().contains("com.fasterxml"), e.message());
        assertFalse(e.message().contains("\n"), e.message());
    }

    @Test
    void invalidUtf8IsSyntaxError() {
        byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(bad));
    }

    @Test
    void unclosedObjectSaysWhereItBegan() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null, () -> AltoJson.parse(utf8("\n  {\"a\": 1")));
        assertTrue(e.message().contains("line: 2, column: 3"), e.message());
        assertFalse(e.message().contains("Source"), e.message());
        assertFalse(e.message().contains("StreamReadFeature"), e.message());
    }

    @Test
    void messageDoesNotEchoTheSourceDocument() {
        AltoError e = assertAltoError(AltoErrorCode.E_SYNTAX, null,
                () -> AltoJson.parse(utf8("{\"secret-looking-member\": }")));
        assertFalse(e.message().contains("Source:"), e.message());
    }
}

package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

class ErrorJsonTest {

    @Test
    void writesAnInvalidValueWithFieldAndValue() {
        assertEquals(json("""
                {"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "pids/srcs", "value": "P 1",
                          "message": "pids/srcs: PID name must be 1-64 characters of [A-Za-z0-9-:@_.]"}}
                """), written(AltoError.invalidValue("pids/srcs", "P 1",
                "PID name must be 1-64 characters of [A-Za-z0-9-:@_.]")));
    }

    /** RFC 7285 §8.5.2: an E_SYNTAX error's debugging text, with the position, is its syntax-error. */
    @Test
    void writesASyntaxErrorWithItsReasonAsSyntaxErrorAndMessageAndNoField() {
        assertEquals(json("""
                {"meta": {"code": "E_SYNTAX", "syntax-error": "malformed JSON at line 1, column 2: x",
                          "message": "malformed JSON at line 1, column 2: x"}}
                """), written(AltoError.syntax("malformed JSON at line 1, column 2: x")));
    }

    @Test
    void omitsAbsentMembers() {
        assertEquals(json("{\"meta\": {\"code\": \"E_MISSING_FIELD\", \"field\": \"cost-type\","
                + " \"message\": \"missing field: cost-type\"}}"), written(AltoError.missingField("cost-type")));
    }

    /** What is served, parsed back to compare as JSON. */
    private static JsonNode written(AltoError error) {
        return AltoJson.parse(AltoJson.writeError(error).getBytes(StandardCharsets.UTF_8));
    }

    static AltoError[] errors() {
        return new AltoError[] {
            AltoError.syntax("bad"),
            AltoError.missingField("meta/vtag"),
            AltoError.invalidType("network-map", "an object"),
            AltoError.invalidValue("endpoints", "ipv4:1.2.3", "not an IPv4 address"),
        };
    }

    @ParameterizedTest
    @MethodSource("errors")
    void roundTrips(AltoError error) {
        assertEquals(error, AltoJson.readError(written(error)));
    }

    @Test
    void readsANonStringValueAsItsJsonText() {
        AltoError e = AltoJson.readError(json("{\"meta\": {\"code\": \"E_INVALID_FIELD_VALUE\", \"value\": [1, 2]}}"));
        assertEquals("[1,2]", e.value());
        assertEquals("E_INVALID_FIELD_VALUE", e.message());
    }

    @Test
    void refusesAnUnknownCode() {
        assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "meta/code",
                () -> AltoJson.readError(json("{\"meta\": {\"code\": \"E_TEAPOT\"}}")));
    }
}

package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server conditions have one form everywhere: no ALTO code (none in the registry fits, and E_SYNTAX
 * would tell a client its request was malformed), no field, a 5xx status.
 */
class AltoErrorTest {

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void aServerConditionHasNoCodeNoFieldAndKeepsItsStatus(int status) {
        AltoError e = AltoError.serverCondition("the origin is starting; try again", status);
        assertNull(e.code());
        assertTrue(e.isServerCondition());
        assertNull(e.field());
        assertNull(e.value());
        assertEquals(status, e.httpStatus());
        assertEquals("the origin is starting; try again", e.message());
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 404, 499, 600})
    void aServerConditionMustHaveAServerErrorStatus(int status) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AltoError.serverCondition("x", status));
        assertEquals("httpStatus: " + status + " (expected: 500-599)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 404, 499})
    void onlyAServerConditionGoesWithoutACode(int status) {
        assertEquals("code: missing for status " + status + " (expected: a code for a request's error; only a server"
                + " condition, 5xx, has none)", assertThrows(IllegalArgumentException.class,
                () -> new AltoError(null, null, null, "x", status)).getMessage());
        assertEquals(false, AltoError.missingField("x").isServerCondition());
    }

    @Test
    void withStatusKeepsCodeFieldAndMessage() {
        AltoError e = AltoError.invalidValue("uri", "/x", "no such resource").withStatus(404);
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, e.code());
        assertEquals("uri", e.field());
        assertEquals(404, e.httpStatus());
    }

    @Test
    void aLongValueFieldAndMessageAreCutWithTheLengthLeftOut() {
        String huge = "P".repeat(1 << 20);
        AltoError e = AltoError.invalidValue("cost-map/" + huge, huge, "PID " + huge + " appears twice");
        assertEquals("P".repeat(128) + "…[+" + ((1 << 20) - 128) + " chars]", e.value());
        assertTrue(e.field().startsWith("cost-map/PPP") && e.field().endsWith(" chars]"), e.field());
        assertTrue(e.field().length() < 160, e.field());
        assertTrue(e.message().length() < 540, "message of " + e.message().length() + " chars");
        assertTrue(e.message().endsWith("…[+" + (("cost-map/" + huge + ": PID " + huge + " appears twice").length()
                - 512) + " chars]"), e.message());
    }

    @Test
    void cuttingIsIdempotentSoAnErrorPassedOnKeepsItsForm() {
        AltoError e = AltoError.invalidValue("uri", "/x".repeat(5000), "no such resource");
        AltoError again = e.withStatus(404);
        assertEquals(e.value(), again.value());
        assertEquals(e.message(), again.message());
    }

    @Test
    void shortTextIsKeptAsIs() {
        String value = "v".repeat(128 + 24);
        assertSame(value, AltoError.invalidValue("f", value, "bad").value());
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String value = "a".repeat(127) + "\uD83D\uDE00".repeat(100);
        String cut = AltoError.invalidValue("f", value, "bad").value();
        assertEquals("a".repeat(127) + "…[+" + (value.length() - 127) + " chars]", cut);
    }
}

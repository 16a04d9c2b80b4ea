package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server conditions have one form everywhere: E_SYNTAX, no field, a 5xx status. */
class AltoErrorTest {

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void aServerConditionIsESyntaxWithoutAFieldAndKeepsItsStatus(int status) {
        AltoError e = AltoError.serverCondition("the origin is starting; try again", status);
        assertEquals(AltoErrorCode.E_SYNTAX, e.code());
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

    @Test
    void withStatusKeepsCodeFieldAndMessage() {
        AltoError e = AltoError.invalidValue("uri", "/x", "no such resource").withStatus(404);
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, e.code());
        assertEquals("uri", e.field());
        assertEquals(404, e.httpStatus());
    }
}

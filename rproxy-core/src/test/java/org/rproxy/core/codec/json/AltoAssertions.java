package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;

/** Asserts that code fails with a given ALTO error code and field. */
public final class AltoAssertions {

    private AltoAssertions() {
    }

    public static AltoError assertAltoError(AltoErrorCode code, String field, Executable call) {
        AltoException e = assertThrows(AltoException.class, call);
        assertEquals(code, e.error().code(), () -> "code of: " + e.error());
        assertEquals(field, e.error().field(), () -> "field of: " + e.error());
        return e.error();
    }
}

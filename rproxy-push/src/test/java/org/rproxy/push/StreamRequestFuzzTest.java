package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Identifiers;

/**
 * Fuzzes the reader of update stream requests (RFC 8895 §6.5), the body a subscriber sends to
 * open a stream and to its control URI. The contract: a body is read or refused with a 400
 * {@link AltoException} in the RFC 7285 §8.5.2 form (a syntax error without a field, every other
 * refusal naming the field at fault), never with another exception, which the publisher would
 * answer with a 500; every substream id read is an id, and every query input is kept in RFC 8785
 * form, a fixed point of canonicalization, so that equal inputs are one query. Seeds:
 * {@code StreamRequestFuzzTestInputs/<method>/}.
 */
class StreamRequestFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void streamRequestIsReadOrRefusedWithTheFieldAtFault(byte[] input) {
        StreamRequest req;
        try {
            req = StreamRequest.parse(Bytes.wrap(input));
        } catch (AltoException e) {
            AltoError error = e.error();
            assertNotNull(error, "exception without an error");
            assertEquals(400, error.httpStatus(), () -> "status of " + error);
            assertNotNull(error.code(), () -> "no code: " + error);
            if (error.code() == AltoErrorCode.E_SYNTAX) {
                assertNull(error.field(), () -> "syntax error with a field: " + error);
            } else if (error.field() == null || error.field().isEmpty()) {
                assertEquals(AltoErrorCode.E_INVALID_FIELD_TYPE, error.code(), () -> "no field at fault: " + error);
            }
            return;
        }
        assertTrue(req.addGiven() || req.add().isEmpty());
        req.add().forEach((id, add) -> {
            assertTrue(Identifiers.isId(id), () -> "substream id " + id);
            assertNotNull(add.resourceId());
            if (add.input() != null) {
                byte[] kept = add.input().toArray();
                assertArrayEquals(kept, Jcs.canonicalize(kept), () -> "input not in RFC 8785 form: " + add.input());
            }
        });
        req.remove().forEach(id -> assertNotNull(id));
    }
}

package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.function.Function;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;

/**
 * Fuzzes the readers of query request bodies (filtered network and cost maps, endpoint
 * properties and costs), which take a client's POST body as it came. They read it with the
 * streaming {@link org.rproxy.core.codec.json.RequestJson}, not a tree, so the contract is
 * checked against the tree reader: a body {@link AltoJson#parse} refuses is refused with the very
 * same error, and a body it accepts is never refused as a syntax error. Past syntax, a body
 * decodes into a query or is refused with a 400 {@link AltoException} naming the field at fault,
 * never with another exception (which the front end would answer with a 500). A query's canonical
 * form (the key its answers are kept under) reads back as a query of that same canonical form, so
 * two bodies asking the same thing share one answer. Seeds:
 * {@code RequestReadersFuzzTestInputs/<method>/}.
 */
class RequestReadersFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void costMapFilterDecodesOrIsRefusedAsTheTreeReaderWould(byte[] input) {
        check(input, CostMapFilter::fromJson, CostMapFilter::toCanonicalJson);
    }

    @FuzzTest(maxDuration = "5m")
    void networkMapFilterDecodesOrIsRefusedAsTheTreeReaderWould(byte[] input) {
        check(input, NetworkMapFilter::fromJson, NetworkMapFilter::toCanonicalJson);
    }

    @FuzzTest(maxDuration = "5m")
    void endpointCostQueryDecodesOrIsRefusedAsTheTreeReaderWould(byte[] input) {
        check(input, body -> EndpointCostQuery.fromJson(body, null), EndpointCostQuery::toCanonicalJson);
    }

    @FuzzTest(maxDuration = "5m")
    void endpointPropertyQueryDecodesOrIsRefusedAsTheTreeReaderWould(byte[] input) {
        check(input, EndpointPropertyQuery::fromJson, EndpointPropertyQuery::toCanonicalJson);
    }

    private static <Q> void check(byte[] input, Function<byte[], Q> read, Function<Q, JsonNode> canonical) {
        AltoError treeError = null;
        try {
            AltoJson.parse(input);
        } catch (AltoException e) {
            treeError = e.error();
            assertEquals(AltoErrorCode.E_SYNTAX, treeError.code(), () -> "tree reader: " + e.error());
        }
        Q query;
        try {
            query = read.apply(input);
        } catch (AltoException e) {
            AltoError error = e.error();
            if (treeError != null) {
                assertEquals(treeError, error, "the request reader refuses a body unlike the tree reader");
                return;
            }
            checkedRefusal(error);
            return;
        }
        assertNull(treeError, "the request reader accepts a body the tree reader refuses");
        byte[] text = Jcs.canonicalize(canonical.apply(query));
        // the canonical form leaves out what does not change the answer (a cost type's description)
        assertArrayEquals(text, Jcs.canonicalize(canonical.apply(read.apply(text))),
                "the canonical form reads back as another query");
    }

    /** RFC 7285 §8.5.2: a syntax error has no field; every other refusal is a 400 naming one. */
    private static void checkedRefusal(AltoError error) {
        assertNotNull(error, "exception without an error");
        assertEquals(400, error.httpStatus(), () -> "status of " + error);
        assertNotNull(error.code(), () -> "no code: " + error);
        if (error.code() == AltoErrorCode.E_SYNTAX) {
            throw new AssertionError("a syntax error the tree reader does not see: " + error);
        }
        if (error.field() == null) {
            assertEquals(AltoErrorCode.E_INVALID_FIELD_TYPE, error.code(), () -> "no field at fault: " + error);
        }
    }
}

package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.VersionTag;

/**
 * Fuzzes the RFC 7285 JSON codec with arbitrary bytes. The contract: bytes either decode into a
 * model value or are refused with an {@link AltoException} in the RFC 7285 §8.5.2 form
 * ({@code E_SYNTAX} without a field, every other code naming the field at fault), never with
 * another exception; a decoded value written, canonicalized (RFC 8785) and read again is the
 * same value, and its canonical bytes are a fixed point; and the streaming cost-map reader
 * agrees with the tree reader on every input: the same map, or the same error word for word. Seeds: {@code AltoJsonFuzzTestInputs/<method>/}.
 */
class AltoJsonFuzzTest {
    private static final VersionTag FALLBACK = new VersionTag("fallback-map", "1");

    @FuzzTest(maxDuration = "5m")
    void networkMapDecodesOrIsRefusedAndRoundTrips(byte[] input) {
        roundTrip(input, doc -> AltoJson.readNetworkMap(doc, FALLBACK), AltoJson::writeNetworkMap);
    }

    @FuzzTest(maxDuration = "5m")
    void directoryDecodesOrIsRefusedAndRoundTrips(byte[] input) {
        roundTrip(input, AltoJson::readDirectory, AltoJson::writeDirectory);
    }

    @FuzzTest(maxDuration = "5m")
    void endpointPropertiesDecodeOrAreRefusedAndRoundTrip(byte[] input) {
        roundTrip(input, doc -> AltoJson.readEndpointProperties(doc, FALLBACK), AltoJson::writeEndpointProperties);
    }

    @FuzzTest(maxDuration = "5m")
    void costMapReadersAgreeAndRoundTrip(byte[] input) {
        CostMap fromTree = null;
        AltoError treeError = null;
        try {
            fromTree = AltoJson.readCostMap(AltoJson.parse(input), FALLBACK);
        } catch (AltoException e) {
            treeError = checkedRefusal(e);
        }
        CostMap fromStream = null;
        AltoError streamError = null;
        try {
            fromStream = AltoJson.readCostMap(input, FALLBACK);
        } catch (AltoException e) {
            streamError = checkedRefusal(e);
        }
        if (treeError != null || streamError != null) {
            // the same first error, word for word: the stream reader promises the tree reader's errors
            assertEquals(treeError, streamError, "tree reader's refusal, then the stream reader's");
            return;
        }
        assertEquals(fromTree, fromStream, "tree and stream readers disagree");
        byte[] canonical = Jcs.canonicalize(AltoJson.writeCostMap(fromTree));
        assertEquals(fromTree, AltoJson.readCostMap(canonical, FALLBACK), "written map reads back differently");
        assertArrayEquals(canonical, Jcs.canonicalize(AltoJson.writeCostMap(AltoJson.readCostMap(canonical, FALLBACK))));
    }

    @FuzzTest(maxDuration = "5m")
    void errorBodyDecodesOrIsRefused(byte[] input) {
        AltoError error;
        try {
            error = AltoJson.readError(AltoJson.parse(input));
        } catch (AltoException e) {
            checkedRefusal(e);
            return;
        }
        assertNotNull(error.code());
        assertNotNull(error.message());
        assertEquals(error, AltoJson.readError(AltoJson.parse(AltoJson.writeError(error).getBytes(StandardCharsets.UTF_8))));
    }

    private static <T> void roundTrip(byte[] input, Function<JsonNode, T> read, Function<T, JsonNode> write) {
        T value;
        try {
            value = read.apply(AltoJson.parse(input));
        } catch (AltoException e) {
            checkedRefusal(e);
            return;
        }
        byte[] canonical = Jcs.canonicalize(write.apply(value));
        T again = read.apply(AltoJson.parse(canonical));
        assertEquals(value, again, "written value reads back differently");
        assertArrayEquals(canonical, Jcs.canonicalize(write.apply(again)), "canonical form is not a fixed point");
    }

    /**
     * RFC 7285 §8.5.2 as this project answers it: a syntax error has no field; any other code
     * names one, except a document that is not an object at all, which has no field to name.
     */
    private static AltoError checkedRefusal(AltoException e) {
        AltoError error = e.error();
        assertNotNull(error, "exception without an error");
        assertEquals(400, error.httpStatus(), () -> "status of " + error);
        if (error.code() == AltoErrorCode.E_SYNTAX) {
            assertNull(error.field(), () -> "syntax error with a field: " + error);
        } else if (error.field() == null) {
            assertEquals(AltoErrorCode.E_INVALID_FIELD_TYPE, error.code(), () -> "no field at fault: " + error);
            assertTrue(error.message().startsWith("the document must be"), () -> "no field at fault: " + error);
        }
        return error;
    }
}

package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.VersionTag;

/**
 * Fuzzes the XML dialect (draft-penno-alto-protocol) with arbitrary bytes, one target per kind of
 * document. The contract: bytes either parse into a model value or are refused with an
 * {@link AltoException} carrying a 400 {@link AltoError} in the RFC 7285 §8.5.2 form (a syntax
 * error without a field, every other refusal naming the field at fault; no parser, binding or
 * model exception escapes, however hostile the XML: entities, DTDs, deep nesting); and a parsed value rendered
 * and parsed again is the same value, rendered to the same bytes. Seeds:
 * {@code XmlCodecFuzzTestInputs/<method>/}.
 */
class XmlCodecFuzzTest {
    private static final XmlCodec CODEC = new XmlCodec();
    private static final XmlBinder BINDER = new XmlBinder();
    private static final VersionTag NET = new VersionTag("net", "1");
    private static final VersionTag COST = new VersionTag("cost", "1");

    @FuzzTest(maxDuration = "5m")
    void pidsParseOrAreRefusedAndRoundTrip(byte[] input) {
        roundTrip(input, b -> CODEC.parseNetworkMap(b, NET), CODEC::renderNetworkMap);
        // PIDs as read, not checked for completeness (a PID without prefixes, no prefix at all):
        // written as they are, not through a NetworkMap, which would refuse what was read
        roundTrip(input, CODEC::parsePids, pids -> BINDER.write(PidsXml.toDto(pids)));
    }

    @FuzzTest(maxDuration = "5m")
    void costMapParsesOrIsRefusedAndRoundTrips(byte[] input) {
        roundTrip(input, b -> CODEC.parseCostMap(b, COST, NET), CODEC::renderCostMap);
    }

    @FuzzTest(maxDuration = "5m")
    void capabilityParsesOrIsRefusedAndRoundTrips(byte[] input) {
        roundTrip(input, CODEC::parseCapability, CODEC::renderCapability);
    }

    @FuzzTest(maxDuration = "5m")
    void queriesParseOrAreRefusedAndRoundTrip(byte[] input) {
        roundTrip(input, CODEC::parseCostQuery, CODEC::renderCostQuery);
        roundTrip(input, CODEC::parseEndpointLookup, CODEC::renderEndpointLookup);
    }

    @FuzzTest(maxDuration = "5m")
    void answersParseOrAreRefusedAndRoundTrip(byte[] input) {
        roundTrip(input, CODEC::parseEndpointCosts, CODEC::renderEndpointCosts);
        roundTrip(input, CODEC::parseEndpointPids, CODEC::renderEndpointPids);
        roundTrip(input, CODEC::parseError, CODEC::renderError);
    }

    private static <T> void roundTrip(byte[] input, Function<Bytes, T> parse, Function<T, Bytes> render) {
        T value;
        try {
            value = parse.apply(Bytes.wrap(input.clone()));
        } catch (AltoException e) {
            checkedRefusal(e.error());
            return;
        }
        Bytes rendered = render.apply(value);
        T again = parse.apply(rendered);
        assertEquals(value, again, () -> "rendered as " + rendered.asUtf8() + " it reads back differently");
        assertArrayEquals(rendered.unsafeArray(), render.apply(again).unsafeArray(), "rendering is not a fixed point");
    }

    /**
     * RFC 7285 §8.5.2 as the dialect answers it: a 400 with a code; a syntax error (line and
     * column in its message) has no field, and every other refusal names the field at fault.
     */
    private static void checkedRefusal(AltoError error) {
        assertNotNull(error, "exception without an error");
        assertEquals(400, error.httpStatus(), () -> "status of " + error);
        assertNotNull(error.code(), () -> "no code: " + error);
        if (error.code() == AltoErrorCode.E_SYNTAX) {
            assertNull(error.field(), () -> "syntax error with a field: " + error);
        } else {
            assertTrue(error.field() != null && !error.field().isBlank(), () -> "no field at fault: " + error);
        }
    }
}

package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.function.Function;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/**
 * Fuzzes the XML dialect (draft-penno-alto-protocol) with arbitrary bytes, one target per kind of
 * document. The contract: bytes either parse into a model value or are refused with an
 * {@link AltoException} carrying a 4xx {@link AltoError} (no parser, binding or model exception
 * escapes, however hostile the XML: entities, DTDs, deep nesting); and a parsed value rendered
 * and parsed again is the same value, rendered to the same bytes. Seeds:
 * {@code XmlCodecFuzzTestInputs/<method>/}.
 */
class XmlCodecFuzzTest {
    private static final XmlCodec CODEC = new XmlCodec();
    private static final VersionTag NET = new VersionTag("net", "1");
    private static final VersionTag COST = new VersionTag("cost", "1");

    @FuzzTest(maxDuration = "5m")
    void pidsParseOrAreRefusedAndRoundTrip(byte[] input) {
        roundTrip(input, b -> CODEC.parseNetworkMap(b, NET), CODEC::renderNetworkMap);
        roundTrip(input, CODEC::parsePids, pids -> CODEC.renderNetworkMap(new NetworkMap(NET, pids)));
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
            AltoError error = e.error();
            assertNotNull(error, "exception without an error");
            assertEquals(4, error.httpStatus() / 100, () -> "not a client error: " + error);
            return;
        }
        Bytes rendered = render.apply(value);
        T again = parse.apply(rendered);
        assertEquals(value, again, () -> "rendered as " + rendered.asUtf8() + " it reads back differently");
        assertArrayEquals(rendered.unsafeArray(), render.apply(again).unsafeArray(), "rendering is not a fixed point");
    }
}

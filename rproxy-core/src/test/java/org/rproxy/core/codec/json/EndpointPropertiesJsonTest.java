package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.ENDPOINT_PROPERTY_ANSWER;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.VersionTag;

class EndpointPropertiesJsonTest {
    private static final VersionTag FALLBACK = new VersionTag("static-props", "f1");

    @Test
    void readsAFileOfStaticProperties() {
        EndpointProperties props = AltoJson.readEndpointProperties(json("""
                {"endpoint-properties": {
                   "ipv4:192.0.2.34": {"priv:ietf-example-prop": "1"},
                   "ipv6:2001:DB8:0:0::1": {"priv:ietf-example-prop": "2", "priv:rack": "r7"}}}
                """), FALLBACK);

        assertEquals(FALLBACK, props.vtag());
        assertEquals(Map.of("priv:ietf-example-prop", "1"), props.properties().get("ipv4:192.0.2.34"));
        assertEquals("r7", props.properties().get("ipv6:2001:db8::1").get("priv:rack"),
                "keys are canonical typed addresses");
    }

    @Test
    void roundTripsWithIpv6() {
        EndpointProperties props = new EndpointProperties(new VersionTag("props", "9"), Map.of(
                "ipv4:192.0.2.34", Map.of("priv:ietf-example-prop", "1"),
                "ipv6:2001:db8::10", Map.of("priv:a", "x", "priv:b", "")));

        assertEquals(props, AltoJson.readEndpointProperties(AltoJson.writeEndpointProperties(props), null));
    }

    @Test
    void writesTheRfcAnswer() {
        var tree = AltoJson.writeEndpointProperties(
                List.of(new VersionTag("my-default-network-map", "7915dc0290c2705481c491a2b4ffbec482b3cf62")),
                Map.of("ipv4:192.0.2.34", Map.of("my-default-network-map.pid", "PID1", "priv:ietf-example-prop", "1"),
                        "ipv4:203.0.113.129", Map.of("my-default-network-map.pid", "PID3")));

        assertEquals(json(ENDPOINT_PROPERTY_ANSWER), tree);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "body missing              | {}                                                                         | E_MISSING_FIELD       | endpoint-properties",
        "body is an array          | {'endpoint-properties': []}                                                | E_INVALID_FIELD_TYPE  | endpoint-properties",
        "untyped address           | {'endpoint-properties': {'192.0.2.1': {}}}                                 | E_INVALID_FIELD_VALUE | endpoint-properties/192.0.2.1",
        "properties are an array   | {'endpoint-properties': {'ipv4:192.0.2.1': []}}                            | E_INVALID_FIELD_TYPE  | endpoint-properties/ipv4:192.0.2.1",
        "value is a number         | {'endpoint-properties': {'ipv4:192.0.2.1': {'priv:p': 1}}}                 | E_INVALID_FIELD_TYPE  | endpoint-properties/ipv4:192.0.2.1/priv:p",
        "same endpoint twice       | {'endpoint-properties': {'ipv6:2001:db8::1': {}, 'ipv6:2001:DB8::1': {}}}  | E_INVALID_FIELD_VALUE | endpoint-properties/ipv6:2001:DB8::1",
    })
    void reportsTheFieldAtFault(String name, String doc, AltoErrorCode code, String field) {
        assertAltoError(code, field, () -> AltoJson.readEndpointProperties(json(doc.replace('\'', '"')), FALLBACK));
    }

    /** An answer's canonical bytes, written without a tree, are those of the canonicalized tree. */
    @Test
    void canonicalAnswerBytesAreThoseOfTheCanonicalizedTree() {
        Random random = new Random(5);
        String[] endpoints = {"ipv4:192.0.2.10", "ipv4:192.0.2.9", "ipv6:2001:db8::1", "ipv6:::ffff:192.0.2.1"};
        String[] names = {"default-network-map.pid", "my-props.geo", "a.b\u00e9", "net.pid"};
        String[] values = {"PID1", "r\u00e9gion \"n\"", "\ud83d\ude00", ""};
        for (int round = 0; round < 300; round++) {
            List<String> order = new ArrayList<>(List.of(endpoints));
            Collections.shuffle(order, random);
            Map<String, Map<String, String>> props = new LinkedHashMap<>();
            for (String e : order.subList(0, random.nextInt(order.size() + 1))) {
                Map<String, String> p = new LinkedHashMap<>();
                for (String n : names) {
                    if (random.nextBoolean()) {
                        p.put(n, values[random.nextInt(values.length)]);
                    }
                }
                props.put(e, p);
            }
            List<VersionTag> deps = round % 2 == 0 ? List.of() : List.of(new VersionTag("net", "n" + round));
            assertEquals(new String(Jcs.canonicalize(AltoJson.writeEndpointProperties(deps, props)), StandardCharsets.UTF_8),
                    new String(AltoJson.canonicalEndpointProperties(deps, props), StandardCharsets.UTF_8), "round " + round);
        }
    }
}

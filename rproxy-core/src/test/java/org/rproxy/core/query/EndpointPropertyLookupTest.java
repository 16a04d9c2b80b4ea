package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.ENDPOINT_PROPERTY_ANSWER;
import static org.rproxy.core.codec.json.Rfc7285Examples.ENDPOINT_PROPERTY_QUERY;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;
import static org.rproxy.core.query.Fixtures.dualStackMap;
import static org.rproxy.core.query.Fixtures.ip;
import static org.rproxy.core.query.Fixtures.rfcNetworkMap;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

class EndpointPropertyLookupTest {
    private static final VersionTag STATIC_VTAG = new VersionTag("static-props", "s1");
    private static final EndpointProperties STATICS = new EndpointProperties(STATIC_VTAG, Map.of(
            "ipv4:192.0.2.34", Map.of("priv:ietf-example-prop", "1"),
            "ipv6:2001:db8::7", Map.of("priv:ietf-example-prop", "6")));

    private static EndpointPropertyQuery query(String body) {
        return EndpointPropertyQuery.fromJson(json(body.replace('\'', '"')));
    }

    @Test
    void answersTheRfcExample() {
        NetworkMap net = new NetworkMap(new VersionTag("my-default-network-map", "7915dc0290c2705481c491a2b4ffbec482b3cf62"),
                rfcNetworkMap().pids());
        EndpointPropertyLookup lookup = new EndpointPropertyLookup(List.of(net), STATICS);

        EndpointPropertyAnswer answer = lookup.lookup(EndpointPropertyQuery.fromJson(json(ENDPOINT_PROPERTY_QUERY)));

        ObjectNode expected = (ObjectNode) json(ENDPOINT_PROPERTY_ANSWER);
        // Ours also names the static property set it used, as every computed answer names its sources.
        ((com.fasterxml.jackson.databind.node.ArrayNode) expected.get("meta").get("dependent-vtags"))
                .add(json("{\"resource-id\": \"static-props\", \"tag\": \"s1\"}"));
        assertEquals(expected, answer.toJson());
    }

    @Test
    void namesOnlyTheMapsItUsed() {
        EndpointPropertyLookup lookup = new EndpointPropertyLookup(List.of(rfcNetworkMap(), dualStackMap()), STATICS);

        EndpointPropertyAnswer answer = lookup.lookup(query("{'properties': ['dual.pid'], 'endpoints': ['ipv4:10.1.1.1']}"));

        assertEquals(List.of(new VersionTag("dual", "d1")), answer.dependentVtags());
        assertEquals(Map.of("ipv4:10.1.1.1", Map.of("dual.pid", "lan")), answer.properties());
    }

    @Test
    void findsPidsOfIpv6EndpointsByLongestPrefix() {
        EndpointPropertyLookup lookup = new EndpointPropertyLookup(List.of(dualStackMap()), STATICS);

        EndpointPropertyAnswer answer = lookup.lookup(query("{'properties': ['dual.pid', 'priv:ietf-example-prop'],"
                + " 'endpoints': ['ipv6:2001:db8:d::1', 'ipv6:2001:DB8::7', 'ipv6:2002::1']}"));

        assertEquals(Map.of(
                "ipv6:2001:db8:d::1", Map.of("dual.pid", "dc"),
                "ipv6:2001:db8::7", Map.of("dual.pid", "lan", "priv:ietf-example-prop", "6"),
                "ipv6:2002::1", Map.of("dual.pid", "rest")), answer.properties());
    }

    /** An IPv4-mapped endpoint is answered under the key it was asked by (RFC 5952 §5's dotted form). */
    @Test
    void answersAnIpv4MappedEndpointUnderTheKeyItWasAskedBy() {
        EndpointPropertyLookup lookup = new EndpointPropertyLookup(List.of(dualStackMap()), STATICS);

        EndpointPropertyAnswer answer = lookup.lookup(query("{'properties': ['dual.pid'], 'endpoints': ['ipv6:::ffff:128.36.1.10']}"));

        assertEquals(Map.of("ipv6:::ffff:128.36.1.10", Map.of("dual.pid", "rest")), answer.properties());
    }

    /**
     * An IPv4-mapped endpoint is the IPv4 node (RFC 4291 §2.5.5.2), as its PID already is: the
     * static properties given for {@code ipv4:a.b.c.d} are its own, under the key it was asked by;
     * one given for the mapped form itself wins, property by property.
     */
    @Test
    void givesAnIpv4MappedEndpointTheStaticPropertiesOfItsIpv4Address() {
        EndpointProperties statics = new EndpointProperties(STATIC_VTAG, Map.of(
                "ipv4:192.0.2.34", Map.of("priv:ietf-example-prop", "1", "priv:ietf-other", "v4"),
                "ipv6:::ffff:192.0.2.34", Map.of("priv:ietf-other", "mapped")));
        EndpointPropertyLookup lookup = new EndpointPropertyLookup(List.of(rfcNetworkMap()), statics);

        EndpointPropertyAnswer answer = lookup.lookup(query("{'properties': ['priv:ietf-example-prop',"
                + " 'priv:ietf-other', 'my-default-network-map.pid'], 'endpoints': ['ipv6:::ffff:192.0.2.34',"
                + " 'ipv6:::FFFF:c000:222', 'ipv4:192.0.2.34', 'ipv6:::ffff:192.0.2.35', 'ipv6:::192.0.2.34']}"));

        assertEquals(Map.of(
                "ipv6:::ffff:192.0.2.34", Map.of("priv:ietf-example-prop", "1", "priv:ietf-other", "mapped",
                        "my-default-network-map.pid", "PID1"),
                "ipv4:192.0.2.34", Map.of("priv:ietf-example-prop", "1", "priv:ietf-other", "v4",
                        "my-default-network-map.pid", "PID1"),
                "ipv6:::ffff:192.0.2.35", Map.of("my-default-network-map.pid", "PID1"),
                "ipv6:::c000:222", Map.of("my-default-network-map.pid", "PID3")), answer.properties());
    }

    /** RFC 7285 §11.4.1.6: one member per endpoint asked; a property without a value is left out of it alone. */
    @Test
    void answersEveryEndpointAskedAnEndpointWithNoValueWithAnEmptyObject() {
        NetworkMap v4only = new NetworkMap(new VersionTag("v4", "1"), Map.of("all", List.of(Fixtures.v4("0.0.0.0/0"))));
        EndpointPropertyLookup lookup = new EndpointPropertyLookup(List.of(v4only), null);

        EndpointPropertyAnswer answer = lookup.lookup(query("{'properties': ['v4.pid'], 'endpoints': ['ipv6:2001:db8::1', 'ipv4:1.2.3.4']}"));

        assertEquals(Map.of("ipv4:1.2.3.4", Map.of("v4.pid", "all"), "ipv6:2001:db8::1", Map.of()), answer.properties());
        assertEquals(json("{\"meta\": {\"dependent-vtags\": [{\"resource-id\": \"v4\", \"tag\": \"1\"}]},"
                + " \"endpoint-properties\": {\"ipv4:1.2.3.4\": {\"v4.pid\": \"all\"}, \"ipv6:2001:db8::1\": {}}}"),
                json(new String(answer.toCanonicalJson(), java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void refusesAnUnknownProperty() {
        EndpointPropertyLookup lookup = new EndpointPropertyLookup(List.of(rfcNetworkMap()), STATICS);
        var error = assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "properties",
                () -> lookup.lookup(query("{'properties': ['my-default-networkmap.pid'], 'endpoints': ['ipv4:1.2.3.4']}")));
        assertEquals("my-default-networkmap.pid", error.value());
    }

    @Test
    void listsThePropertiesItServes() {
        assertEquals(Set.of("my-default-network-map.pid", "dual.pid", "priv:ietf-example-prop"),
                new EndpointPropertyLookup(List.of(rfcNetworkMap(), dualStackMap()), STATICS).propertyNames());
    }

    @Test
    void equalRequestsHaveEqualCanonicalForms() {
        var a = query("{'properties': ['b', 'a'], 'endpoints': ['ipv6:2001:DB8:0::1', 'ipv4:192.0.2.1', 'ipv4:192.0.2.1']}");
        var b = query("{'properties': ['a', 'b', 'a'], 'endpoints': ['ipv4:192.0.2.1', 'ipv6:2001:db8::1']}");
        assertEquals(a.toCanonicalJson(), b.toCanonicalJson());
        assertEquals(json("{\"endpoints\": [\"ipv4:192.0.2.1\", \"ipv6:2001:db8::1\"], \"properties\": [\"a\", \"b\"]}"),
                a.toCanonicalJson());
        assertEquals(List.of(ip("ipv4:192.0.2.1"), ip("ipv6:2001:db8::1")), a.endpoints());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "properties missing    | {'endpoints': ['ipv4:1.2.3.4']}                         | E_MISSING_FIELD       | properties",
        "properties empty      | {'properties': [], 'endpoints': ['ipv4:1.2.3.4']}       | E_INVALID_FIELD_VALUE | properties",
        "property empty string | {'properties': ['a', ''], 'endpoints': ['ipv4:1.2.3.4']} | E_INVALID_FIELD_VALUE | properties",
        "endpoints missing     | {'properties': ['a']}                                   | E_MISSING_FIELD       | endpoints",
        "endpoints empty       | {'properties': ['a'], 'endpoints': []}                  | E_INVALID_FIELD_VALUE | endpoints",
        "endpoints an object   | {'properties': ['a'], 'endpoints': {}}                  | E_INVALID_FIELD_TYPE  | endpoints",
        "untyped endpoint      | {'properties': ['a'], 'endpoints': ['ipv4:1.2.3.4', '1.2.3.4']} | E_INVALID_FIELD_VALUE | endpoints",
        "bad IPv4 address      | {'properties': ['a'], 'endpoints': ['ipv4:1.2.3.256']}  | E_INVALID_FIELD_VALUE | endpoints",
        "bad IPv6 address      | {'properties': ['a'], 'endpoints': ['ipv6:2001:db8:::1']} | E_INVALID_FIELD_VALUE | endpoints",
    })
    void reportsTheFieldAtFault(String name, String body, AltoErrorCode code, String field) {
        assertAltoError(code, field, () -> query(body));
    }
}

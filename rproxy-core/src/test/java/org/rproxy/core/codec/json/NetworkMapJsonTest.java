package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.NETWORK_MAP;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

class NetworkMapJsonTest {
    private static final VersionTag FALLBACK = new VersionTag("file-map", "v1");

    private static Cidr v4(String s) {
        return Cidr.parse(s, false, "test");
    }

    private static Cidr v6(String s) {
        return Cidr.parse(s, true, "test");
    }

    @Test
    void readsTheRfcExample() {
        NetworkMap map = AltoJson.readNetworkMap(json(NETWORK_MAP), FALLBACK);

        assertEquals(new VersionTag("my-default-network-map", "da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785"), map.vtag());
        assertEquals(List.of("PID1", "PID2", "PID3"), List.copyOf(map.pids().keySet()));
        assertEquals(List.of(v4("192.0.2.0/24"), v4("198.51.100.0/25")), map.pids().get("PID1"));
        assertEquals(List.of(v4("0.0.0.0/0"), v6("::/0")), map.pids().get("PID3"));
        assertEquals("PID2", map.pidOf(IpAddress.parseTyped("ipv4:198.51.100.200", "t")).orElseThrow());
    }

    @Test
    void writesTheRfcExampleBack() {
        assertEquals(json(NETWORK_MAP), AltoJson.writeNetworkMap(AltoJson.readNetworkMap(json(NETWORK_MAP), null)));
    }

    @Test
    void usesTheFallbackWhenMetaHasNoVtag() {
        NetworkMap map = AltoJson.readNetworkMap(
                json("{\"network-map\": {\"ALL\": {\"ipv4\": [\"0.0.0.0/0\"]}}}"), FALLBACK);
        assertEquals(FALLBACK, map.vtag());
    }

    @Test
    void needsAVtagWhenThereIsNoFallback() {
        assertAltoError(AltoErrorCode.E_MISSING_FIELD, "meta/vtag", () -> AltoJson.readNetworkMap(
                json("{\"meta\": {}, \"network-map\": {\"ALL\": {\"ipv4\": [\"0.0.0.0/0\"]}}}"), null));
    }

    @Test
    void roundTripsIpv6AndNestedPrefixes() {
        NetworkMap map = new NetworkMap(new VersionTag("net", "t-1"), Map.of(
                "default", List.of(v4("0.0.0.0/0"), v6("::/0")),
                "campus", List.of(v4("10.0.0.0/8"), v6("2001:db8::/32"), v6("2001:db8:1::/48")),
                "lab", List.of(v4("10.1.2.0/24"), v6("fe80::/10"))));

        assertEquals(map, AltoJson.readNetworkMap(AltoJson.writeNetworkMap(map), null));
    }

    @Test
    void writesAFilteredMapWithTheFullMapsVtag() {
        VersionTag full = new VersionTag("net", "t-1");
        var tree = AltoJson.writeNetworkMap(full, Map.of("PID1", List.of(v6("2001:db8::/32")), "PID2", List.of()));

        assertEquals(json("""
                {"meta": {"vtag": {"resource-id": "net", "tag": "t-1"}},
                 "network-map": {"PID1": {"ipv6": ["2001:db8::/32"]}, "PID2": {}}}
                """), tree);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "document is an array         | []                                                                  | E_INVALID_FIELD_TYPE  |",
        "network-map missing          | {}                                                                  | E_MISSING_FIELD       | network-map",
        "network-map is an array      | {'network-map': []}                                                 | E_INVALID_FIELD_TYPE  | network-map",
        "group is an array            | {'network-map': {'PID1': []}}                                       | E_INVALID_FIELD_TYPE  | network-map/PID1",
        "prefix list is a string      | {'network-map': {'PID1': {'ipv4': '0.0.0.0/0'}}}                    | E_INVALID_FIELD_TYPE  | network-map/PID1/ipv4",
        "prefix is a number           | {'network-map': {'PID1': {'ipv4': ['0.0.0.0/1', 7]}}}               | E_INVALID_FIELD_TYPE  | network-map/PID1/ipv4[1]",
        "bad prefix at index 2        | {'network-map': {'PID1': {'ipv4': ['0.0.0.0/1', '128.0.0.0/1', '10.0.0.1/8']}}} | E_INVALID_FIELD_VALUE | network-map/PID1/ipv4[2]",
        "IPv6 prefix in ipv4 list     | {'network-map': {'PID1': {'ipv4': ['::/0']}}}                       | E_INVALID_FIELD_VALUE | network-map/PID1/ipv4[0]",
        "unknown address type         | {'network-map': {'PID1': {'ipv5': ['0.0.0.0/0']}}}                  | E_INVALID_FIELD_VALUE | network-map/PID1/ipv5",
        "PID name with a space        | {'network-map': {'PID 1': {'ipv4': ['0.0.0.0/0']}}}                 | E_INVALID_FIELD_VALUE | network-map/PID 1",
        "vtag is a string             | {'meta': {'vtag': 'x'}, 'network-map': {}}                          | E_INVALID_FIELD_TYPE  | meta/vtag",
        "vtag without tag             | {'meta': {'vtag': {'resource-id': 'm'}}, 'network-map': {}}         | E_MISSING_FIELD       | meta/vtag/tag",
        "vtag with a bad resource id  | {'meta': {'vtag': {'resource-id': 'm m', 'tag': '1'}}, 'network-map': {}} | E_INVALID_FIELD_VALUE | meta/vtag/resource-id",
        "map that is not complete     | {'network-map': {'PID1': {'ipv4': ['10.0.0.0/8']}}}                 | E_INVALID_FIELD_VALUE | network-map",
    })
    void reportsTheFieldAtFault(String name, String doc, AltoErrorCode code, String field) {
        assertAltoError(code, field, () -> AltoJson.readNetworkMap(json(doc.replace('\'', '"')), FALLBACK));
    }
}

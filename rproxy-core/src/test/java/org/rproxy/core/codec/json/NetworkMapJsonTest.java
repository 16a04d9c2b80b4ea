package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.NETWORK_MAP;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.codec.Jcs;
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

    /**
     * The filtered network map answer is written straight to canonical bytes; they are those of
     * the tree it was written as before, canonicalized: the RFC example, its filtered forms
     * (one family, empty groups, no PID), and generated maps (PIDs in any order, families mixed).
     */
    @Test
    void writesTheCanonicalBytesOfTheTreeWithoutIt() {
        VersionTag vtag = new VersionTag("my-default-network-map", "da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785");
        NetworkMap rfc = AltoJson.readNetworkMap(json(NETWORK_MAP), FALLBACK);
        List<Map<String, List<Cidr>>> maps = new ArrayList<>(List.of(rfc.pids(), Map.of(),
                Map.of("PID1", List.of(v6("2001:db8::/32")), "PID2", List.of()),
                Map.of("PID3", List.of(v4("0.0.0.0/0")), "PID1", List.of(v4("192.0.2.0/24")))));
        SplittableRandom r = new SplittableRandom(7);
        for (int m = 0; m < 300; m++) {
            Map<String, List<Cidr>> pids = new LinkedHashMap<>();
            for (int p = r.nextInt(40); p > 0; p--) {
                List<Cidr> group = new ArrayList<>();
                for (int c = r.nextInt(6); c > 0; c--) {
                    group.add(r.nextBoolean()
                            ? Cidr.of(IpAddress.parseTyped("ipv4:" + r.nextInt(224) + "." + r.nextInt(256) + ".0.0", "t"), 16)
                            : Cidr.of(IpAddress.parseTyped("ipv6:2001:db8:" + Integer.toHexString(r.nextInt(65536)) + "::", "t"), 48));
                }
                pids.put(pick(r, "PID", "pid", "P-", "zone:", "a_b.", "Z@") + r.nextInt(1000), group);
            }
            maps.add(pids);
        }
        for (Map<String, List<Cidr>> pids : maps) {
            assertArrayEquals(Jcs.canonicalize(AltoJson.writeNetworkMap(vtag, pids)),
                    AltoJson.canonicalNetworkMap(vtag, pids), pids::toString);
        }
    }

    private static String pick(SplittableRandom r, String... options) {
        return options[r.nextInt(options.length)];
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

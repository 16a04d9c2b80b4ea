package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.NETWORK_MAP_FILTER;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;
import static org.rproxy.core.query.Fixtures.dualStackMap;
import static org.rproxy.core.query.Fixtures.rfcNetworkMap;
import static org.rproxy.core.query.Fixtures.v4;
import static org.rproxy.core.query.Fixtures.v6;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.Cidr;

class NetworkMapFilteringTest {

    private static NetworkMapFilter filter(String body) {
        return NetworkMapFilter.fromJson(json(body.replace('\'', '"')));
    }

    @Test
    void answersTheRfcExample() {
        var map = rfcNetworkMap();
        Map<String, List<Cidr>> out = NetworkMapFiltering.apply(map, NetworkMapFilter.fromJson(json(NETWORK_MAP_FILTER)));

        assertEquals(Map.of("PID1", List.of(v4("192.0.2.0/24"), v4("198.51.100.0/25")),
                "PID2", List.of(v4("198.51.100.128/25"))), out);
        assertEquals(json("""
                {"meta": {"vtag": {"resource-id": "my-default-network-map", "tag": "da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785"}},
                 "network-map": {"PID1": {"ipv4": ["192.0.2.0/24", "198.51.100.0/25"]},
                                 "PID2": {"ipv4": ["198.51.100.128/25"]}}}
                """), AltoJson.writeNetworkMap(map.vtag(), out));
    }

    @Test
    void emptyPidListMeansAllPids() {
        var map = rfcNetworkMap();
        assertEquals(map.pids(), NetworkMapFiltering.apply(map, filter("{'pids': []}")));
    }

    @Test
    void ignoresUnknownPids() {
        assertEquals(List.of("PID2"), List.copyOf(
                NetworkMapFiltering.apply(rfcNetworkMap(), filter("{'pids': ['PID9', 'PID2']}")).keySet()));
    }

    @Test
    void onlyUnknownPidsSelectNothing() {
        assertTrue(NetworkMapFiltering.apply(rfcNetworkMap(), filter("{'pids': ['nope']}")).isEmpty());
    }

    @Test
    void keepsOnlyTheRequestedAddressTypes() {
        Map<String, List<Cidr>> out = NetworkMapFiltering.apply(dualStackMap(),
                filter("{'pids': [], 'address-types': ['ipv6']}"));

        assertEquals(Map.of("dc", List.of(v6("2001:db8:d::/48")), "lan", List.of(v6("2001:db8::/32")),
                "rest", List.of(v6("::/0"))), out);
    }

    @Test
    void keepsARequestedPidThatHasNoPrefixOfTheRequestedType() {
        Map<String, List<Cidr>> out = NetworkMapFiltering.apply(dualStackMap(),
                filter("{'pids': ['dc'], 'address-types': ['ipv4']}"));
        assertEquals(Map.of("dc", List.of()), out);
    }

    @Test
    void sortsAndDeduplicatesTheRequest() {
        NetworkMapFilter f = filter("{'pids': ['b', 'a', 'b'], 'address-types': ['ipv6', 'ipv4', 'ipv6']}");
        assertEquals(List.of("a", "b"), f.pids());
        assertEquals(List.of("ipv4", "ipv6"), f.addressTypes());
    }

    @Test
    void equalRequestsHaveEqualCanonicalForms() {
        assertEquals(filter("{'pids': ['PID2', 'PID1', 'PID2']}").toCanonicalJson(),
                filter("{'pids': ['PID1', 'PID2'], 'address-types': [], 'x-ignored': 1}").toCanonicalJson());
        assertNotEquals(filter("{'pids': ['PID1']}").toCanonicalJson(),
                filter("{'pids': ['PID1'], 'address-types': ['ipv4']}").toCanonicalJson());
        assertEquals(json("{\"address-types\": [], \"pids\": [\"PID1\", \"PID2\"]}"),
                filter("{'pids': ['PID2', 'PID1']}").toCanonicalJson());
    }

    /**
     * RFC 7285 §11.3.1.6: the server MUST behave as if an address type it does not know did not
     * appear in the request.
     */
    @Test
    void ignoresUnknownAddressTypes() {
        NetworkMapFilter f = filter("{'pids': [], 'address-types': ['ipx', 'ipv6', 'ipv4-over-carrier-pigeon']}");
        assertEquals(List.of("ipv6"), f.addressTypes());
        assertEquals(filter("{'pids': [], 'address-types': ['ipv6']}").toCanonicalJson(), f.toCanonicalJson());
    }

    /**
     * Only unknown types: once they are dropped the list is empty, and §11.3.1.3 reads an empty
     * (or absent) list as every type; the RFC followed literally, not "nothing".
     */
    @Test
    void onlyUnknownAddressTypesMeanAllTypes() {
        NetworkMapFilter f = filter("{'pids': [], 'address-types': ['ipx']}");
        assertEquals(List.of(), f.addressTypes());
        assertEquals(dualStackMap().pids(), NetworkMapFiltering.apply(dualStackMap(), f));
    }

    /** RFC 7285 §8.5.2: a number in an array of strings is an invalid value of the array. */
    @Test
    void aNumberAmongPidsIsAnInvalidValueOfTheArray() {
        assertEquals("2", assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "pids",
                () -> filter("{'pids': ['PID1', 2]}")).value());
        assertEquals("true", assertAltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, "address-types",
                () -> filter("{'pids': [], 'address-types': ['ipv4', true]}")).value());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "body is an array        | []                                             | E_INVALID_FIELD_TYPE  |",
        "pids missing            | {}                                             | E_MISSING_FIELD       | pids",
        "pids is a string        | {'pids': 'PID1'}                               | E_INVALID_FIELD_TYPE  | pids",
        "pid is a number         | {'pids': ['PID1', 2]}                          | E_INVALID_FIELD_VALUE | pids",
        "pid name is invalid     | {'pids': ['PID1', 'PID 2']}                    | E_INVALID_FIELD_VALUE | pids",
        "address types an object | {'pids': [], 'address-types': {}}              | E_INVALID_FIELD_TYPE  | address-types",
    })
    void reportsTheFieldAtFault(String name, String body, AltoErrorCode code, String field) {
        assertAltoError(code, field, () -> filter(body));
    }
}

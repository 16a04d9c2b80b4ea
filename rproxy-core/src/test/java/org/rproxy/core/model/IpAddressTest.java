package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The canonical text of an address: what answers are keyed by. */
class IpAddressTest {

    /**
     * RFC 5952 §4 (compressed, lower case) and §5: an IPv4-mapped address (::ffff:0:0/96) is
     * written with its IPv4 part dotted, so an endpoint asked as {@code ipv6:::ffff:128.36.1.10}
     * comes back under the key it was asked by, not {@code ipv6:::ffff:8024:10a}.
     */
    @ParameterizedTest
    @CsvSource({
        "ipv6:::ffff:128.36.1.10,  ipv6:::ffff:128.36.1.10",
        "ipv6:::FFFF:8024:10A,     ipv6:::ffff:128.36.1.10",
        "ipv6:0:0:0:0:0:ffff:0:0,  ipv6:::ffff:0.0.0.0",
        "ipv6:::ffff:255.255.255.255, ipv6:::ffff:255.255.255.255",
        "ipv6:2001:DB8:0:0:1:0:0:1, ipv6:2001:db8::1:0:0:1",
        "ipv6:::1,                 ipv6:::1",
        "ipv6:::fffe:1:2,          ipv6:::fffe:1:2",
        "ipv6:::1:ffff:1:2,        ipv6:::1:ffff:1:2",
        "ipv6:::ffff:0:1:2,        ipv6:::ffff:0:1:2",
        "ipv4:128.36.1.10,         ipv4:128.36.1.10",
    })
    void printsTheCanonicalForm(String asked, String canonical) {
        IpAddress a = IpAddress.parseTyped(asked, "endpoints");
        assertEquals(canonical, a.toTyped());
        assertEquals(a, IpAddress.parseTyped(a.toTyped(), "endpoints"), "the canonical form reads back as the same address");
    }

    @ParameterizedTest
    @CsvSource({"::ffff:0:0/96, ::ffff:0.0.0.0/96", "::ffff:10.0.0.0/104, ::ffff:10.0.0.0/104"})
    void aPrefixOfMappedAddressesIsDottedToo(String prefix, String canonical) {
        assertEquals(canonical, Cidr.parse(prefix, true, "network-map").toString());
    }
}

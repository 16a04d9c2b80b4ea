package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The text of an IPv6 address (RFC 4291 §2.2) is read as an address and nothing else: never as
 * a host name. Endpoint addresses come from any client (endpoint cost and property queries, the
 * seed's lookups and rankings), so a text the parser handed to the JDK's resolver was a name
 * lookup per endpoint on a query thread, on behalf of whoever asked.
 */
class IpAddressTextTest {

    /**
     * {@code ipv6:.:1} passed the character check (hex digits, colons, dots) and went to
     * {@code InetAddress.getByName}, which takes a text not starting with a hex digit or a colon
     * for a host name and asks the resolver: a hosts file naming {@code .:1} made it an address.
     */
    @Test
    void anAddressTextIsNeverLookedUpAsAHostName(@TempDir Path dir) throws Exception {
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "192.0.2.7 .:1\n192.0.2.8 .::\n");
        List<String> lines = probe(hosts, "ipv6:.:1", "ipv6:.::", "ipv6:::1");
        assertEquals(List.of("ipv6:.:1 refused", "ipv6:.:: refused", "ipv6:::1 ipv6:::1"), lines);
    }

    @ParameterizedTest
    @CsvSource({
        "ipv6:::,                       ipv6:::",
        "ipv6:::1,                      ipv6:::1",
        "ipv6:1::,                      ipv6:1::",
        "ipv6:1:2:3:4:5:6:7::,          ipv6:1:2:3:4:5:6:7:0",
        "ipv6:::2:3:4:5:6:7:8,          ipv6:0:2:3:4:5:6:7:8",
        "ipv6:1:2:3:4:5:6:7:8,          ipv6:1:2:3:4:5:6:7:8",
        "ipv6:0001:0db8:0000::0001,     ipv6:1:db8::1",
        "ipv6:ABCD:ef01::,              ipv6:abcd:ef01::",
        "ipv6:::1.2.3.4,                ipv6:::102:304",
        "ipv6:1:2:3:4:5:6:1.2.3.4,      ipv6:1:2:3:4:5:6:102:304",
        "ipv6:1::6:255.255.255.255,     ipv6:1::6:ffff:ffff",
        "ipv6:::ffff:0.0.0.0,           ipv6:::ffff:0.0.0.0",
        "ipv6:2001:db8::1:0:0:1,        ipv6:2001:db8::1:0:0:1",
    })
    void readsEveryFormOfRfc4291(String text, String canonical) {
        assertEquals(canonical, IpAddress.parseTyped(text, "endpoints/srcs").toTyped());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ipv6:", "ipv6::", "ipv6::::", "ipv6:1:", "ipv6::1", "ipv6:1:2", "ipv6:1::2::3", "ipv6:1:::2",
        "ipv6:1:2:3:4:5:6:7:8:9", "ipv6:1:2:3:4:5:6:7:8::", "ipv6:::1:2:3:4:5:6:7:8", "ipv6:1::2:3:4:5:6:7:8",
        "ipv6:12345::", "ipv6:00000::1", "ipv6:g::", "ipv6:.:1", "ipv6:.::", "ipv6:::.", "ipv6:1.2.3.4",
        "ipv6:1.2.3.4::", "ipv6:::1.2.3", "ipv6:::1.2.3.4.5", "ipv6:::1.2.3.256", "ipv6:::01.2.3.4",
        "ipv6:::1.2.3.4:5", "ipv6:1:2:3:4:5:6:7:1.2.3.4", "ipv6:::1..3.4", "ipv6:::a.b.c.d",
        "ipv6:fe80::1%1", "ipv6:[::1]", "ipv6: ::1", "ipv6:::1 ", "ipv6:localhost", "ipv6:\uff11::", "ipv6:::\u0661.2.3.4",
    })
    void refusesEveryOtherText(String text) {
        AltoException e = assertThrows(AltoException.class, () -> IpAddress.parseTyped(text, "endpoints/srcs"));
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, e.error().code());
        assertEquals("endpoints/srcs", e.error().field());
        assertEquals(text, e.error().value());
    }

    /** Any address, written compressed (RFC 5952) or in full, reads back as itself. */
    @Test
    void everyAddressReadsBackFromItsTexts() {
        SplittableRandom random = new SplittableRandom(7285);
        for (int round = 0; round < 2_000; round++) {
            byte[] b = new byte[16];
            for (int i = 0; i < 16; i++) {
                // mostly zeros, so that runs of zero groups of every length and place occur
                b[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : 0;
            }
            IpAddress a = IpAddress.of(b);
            StringBuilder full = new StringBuilder("ipv6:");
            for (int g = 0; g < 8; g++) {
                full.append(g == 0 ? "" : ":").append(Integer.toHexString(((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff)));
            }
            assertEquals(a, IpAddress.parseTyped(a.toTyped(), "endpoints"), a.toTyped());
            assertEquals(a, IpAddress.parseTyped(full.toString(), "endpoints"), full.toString());
        }
    }

    @Test
    void aPrefixOfTheNetworkMapIsReadTheSameWay() {
        assertEquals("::/0", Cidr.parse("::/0", true, "network-map/PID1/ipv6[0]").toString());
        AltoException e = assertThrows(AltoException.class, () -> Cidr.parse(".:1/128", true, "network-map/PID1/ipv6[0]"));
        assertEquals("network-map/PID1/ipv6[0]", e.error().field());
    }

    private static List<String> probe(Path hosts, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.net.hosts.file=" + hosts, "-cp", System.getProperty("java.class.path"),
                AddressTextProbe.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe ended");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text.lines().toList();
    }
}

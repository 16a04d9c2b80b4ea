package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link PrefixIndex}'s longest-prefix match, held against a brute-force scan of every prefix
 * ({@link Cidr#contains}) over random maps of nested prefixes of both families, and its reading
 * of IPv4-mapped IPv6 addresses.
 */
class PrefixIndexTest {
    private static final VersionTag NET = new VersionTag("net", "n1");

    @Test
    void agreesWithABruteForceScanOverRandomMaps() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            Map<Cidr, String> owners = randomPrefixes(random, 1 + random.nextInt(60), round % 3);
            NetworkMap map = map(owners);
            PrefixIndex index = map.index();
            List<Cidr> prefixes = new ArrayList<>(owners.keySet());
            for (int k = 0; k < 200; k++) {
                IpAddress a = switch (random.nextInt(4)) {
                    case 0 -> randomAddress(random, random.nextBoolean());
                    case 1 -> mapped(inside(random, prefixes.get(random.nextInt(prefixes.size()))));
                    default -> inside(random, prefixes.get(random.nextInt(prefixes.size())));
                };
                assertEquals(bruteForce(owners, a), index.pidOrNull(a), a + " in " + owners);
                assertEquals(bruteForce(owners, a), index.pidOf(a).orElse(null), a + " in " + owners);
            }
        }
    }

    @Test
    void anUnmappedFamilyHasNoPid() {
        NetworkMap v4only = new NetworkMap(NET, Map.of("a", List.of(Cidr.parse("0.0.0.0/0", false, "t"))));
        assertNull(v4only.index().pidOrNull(IpAddress.parseTyped("ipv6:2001:db8::1", "t")));
        assertEquals("a", v4only.index().pidOrNull(IpAddress.parseTyped("ipv4:192.0.2.1", "t")));
    }

    /**
     * An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2) stands for the IPv4
     * node {@code a.b.c.d}: it is in the PID of that IPv4 address, on an IPv4-only map and on a
     * dual-stack one, unless the map holds an IPv6 prefix inside {@code ::ffff:0:0/96} longer
     * than the IPv4 prefix that matched (96 + its length), which the operator wrote for it.
     */
    @Test
    void anIpv4MappedAddressIsInThePidOfItsIpv4Address() {
        NetworkMap v4only = new NetworkMap(NET, Map.of(
                "def", List.of(Cidr.parse("0.0.0.0/0", false, "t")),
                "lan", List.of(Cidr.parse("192.0.2.0/24", false, "t"))));
        assertEquals("lan", v4only.index().pidOrNull(IpAddress.parseTyped("ipv6:::ffff:192.0.2.7", "t")));
        assertEquals("def", v4only.index().pidOrNull(IpAddress.parseTyped("ipv6:::ffff:198.51.100.1", "t")));
        assertNull(v4only.index().pidOrNull(IpAddress.parseTyped("ipv6:::fffe:c000:207", "t")));
        NetworkMap dual = new NetworkMap(NET, Map.of(
                "def", List.of(Cidr.parse("0.0.0.0/0", false, "t")),
                "def6", List.of(Cidr.parse("::/0", true, "t")),
                "lan", List.of(Cidr.parse("192.0.2.0/24", false, "t")),
                "mapped", List.of(Cidr.parse("::ffff:0:0/96", true, "t")),
                "pinned", List.of(Cidr.parse("::ffff:198.51.100.0/120", true, "t"))));
        PrefixIndex index = dual.index();
        assertEquals("lan", index.pidOrNull(IpAddress.parseTyped("ipv6:::ffff:192.0.2.7", "t")));
        assertEquals("lan", index.pidOrNull(IpAddress.parseTyped("ipv6:0:0:0:0:0:ffff:c000:0207", "t")));
        assertEquals("def", index.pidOrNull(IpAddress.parseTyped("ipv6:::ffff:203.0.113.9", "t")));
        assertEquals("pinned", index.pidOrNull(IpAddress.parseTyped("ipv6:::ffff:198.51.100.9", "t")));
        assertEquals("def6", index.pidOrNull(IpAddress.parseTyped("ipv6:2001:db8::1", "t")));
        assertEquals("def6", index.pidOrNull(IpAddress.parseTyped("ipv6:::192.0.2.7", "t")));
        assertEquals("lan", index.pidOf(IpAddress.parseTyped("ipv6:::ffff:192.0.2.7", "t")).orElseThrow());
        NetworkMap v6only = new NetworkMap(NET, Map.of("def6", List.of(Cidr.parse("::/0", true, "t"))));
        assertEquals("def6", v6only.index().pidOrNull(IpAddress.parseTyped("ipv6:::ffff:192.0.2.7", "t")));
    }

    /** The longest prefix of the same family holding {@code a}: what {@link PrefixIndex} must find. */
    private static String bruteForce(Map<Cidr, String> owners, IpAddress a) {
        Cidr best = null;
        for (Cidr c : owners.keySet()) {
            if (c.contains(a) && (best == null || c.length() > best.length())) {
                best = c;
            }
        }
        byte[] b = a.toBytes();
        if (b.length == 16 && Cidr.parse("::ffff:0:0/96", true, "t").contains(a)) {
            IpAddress v4 = IpAddress.of(Arrays.copyOfRange(b, 12, 16));
            Cidr best4 = null;
            for (Cidr c : owners.keySet()) {
                if (c.contains(v4) && (best4 == null || c.length() > best4.length())) {
                    best4 = c;
                }
            }
            if (best4 != null && (best == null || 96 + best4.length() >= best.length())) {
                best = best4;
            }
        }
        return best == null ? null : owners.get(best);
    }

    /**
     * Random prefixes, nested often (a prefix is frequently cut from an address inside an earlier
     * one); {@code families}: 0 both, 1 IPv4 only, 2 IPv6 only; each family present gets a
     * default prefix so the map is complete.
     */
    private static Map<Cidr, String> randomPrefixes(SplittableRandom random, int n, int families) {
        Map<Cidr, String> out = new HashMap<>();
        List<Cidr> made = new ArrayList<>();
        int pids = 1 + random.nextInt(8);
        if (families != 2) {
            out.put(Cidr.parse("0.0.0.0/0", false, "t"), "p" + random.nextInt(pids));
            made.add(Cidr.parse("0.0.0.0/0", false, "t"));
        }
        if (families != 1) {
            out.put(Cidr.parse("::/0", true, "t"), "p" + random.nextInt(pids));
            made.add(Cidr.parse("::/0", true, "t"));
        }
        if (families != 1 && random.nextBoolean()) {
            made.add(Cidr.parse("::ffff:0:0/96", true, "t")); // a seed for prefixes of mapped addresses
        }
        for (int i = 0; i < n; i++) {
            IpAddress a = inside(random, made.get(random.nextInt(made.size())));
            Cidr c = Cidr.of(a, random.nextInt(a.bits() + 1));
            if (!out.containsKey(c)) {
                out.put(c, "p" + random.nextInt(pids));
                made.add(c);
            }
        }
        return out;
    }

    private static NetworkMap map(Map<Cidr, String> owners) {
        Map<String, List<Cidr>> pids = new HashMap<>();
        owners.forEach((c, pid) -> pids.computeIfAbsent(pid, p -> new ArrayList<>()).add(c));
        return new NetworkMap(NET, pids);
    }

    /** A random address inside {@code c}. */
    static IpAddress inside(SplittableRandom random, Cidr c) {
        byte[] b = c.address().toBytes();
        for (int i = c.length(); i < b.length * 8; i++) {
            if (random.nextBoolean()) {
                b[i >>> 3] |= (byte) (0x80 >>> (i & 7));
            }
        }
        return IpAddress.of(b);
    }

    /** {@code a} as an IPv4-mapped IPv6 address when it is IPv4, else itself. */
    static IpAddress mapped(IpAddress a) {
        if (!a.isV4()) {
            return a;
        }
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(a.toBytes(), 0, b, 12, 4);
        return IpAddress.of(b);
    }

    static IpAddress randomAddress(SplittableRandom random, boolean v4) {
        byte[] b = new byte[v4 ? 4 : 16];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return IpAddress.of(b);
    }
}

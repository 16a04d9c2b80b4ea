package org.rproxy.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link PrefixIndex}'s longest-prefix match, held against a brute-force scan of every prefix
 * ({@link Cidr#contains}) over random maps of nested prefixes of both families.
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
                IpAddress a = random.nextInt(4) == 0
                        ? randomAddress(random, random.nextBoolean())
                        : inside(random, prefixes.get(random.nextInt(prefixes.size())));
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

    /** The longest prefix of the same family holding {@code a}: what {@link PrefixIndex} must find. */
    private static String bruteForce(Map<Cidr, String> owners, IpAddress a) {
        Cidr best = null;
        for (Cidr c : owners.keySet()) {
            if (c.contains(a) && (best == null || c.length() > best.length())) {
                best = c;
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

    static IpAddress randomAddress(SplittableRandom random, boolean v4) {
        byte[] b = new byte[v4 ? 4 : 16];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return IpAddress.of(b);
    }
}

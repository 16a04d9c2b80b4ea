package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.core.model.VersionTag;

class PopulationTest {
    private static final NetworkMap MAP = new NetworkMap(new VersionTag("m", "t"), Map.of(
            "a", List.of(Cidr.parse("16.0.0.0/24", false, "x"), Cidr.parse("16.0.4.0/22", false, "x")),
            "b", List.of(Cidr.parse("16.1.0.0/24", false, "x")),
            "rest", List.of(Cidr.parse("0.0.0.0/0", false, "x"))));

    @Test
    void aViewerIsTheSameWhoeverAsksAndWhenever() {
        Population p1 = new Population(MAP, Population.Mix.defaults(), 9);
        Population p2 = new Population(MAP, Population.Mix.defaults(), 9);
        for (long i = 0; i < 1_000; i += 37) {
            assertEquals(p1.address(i), p2.address(i));
            assertEquals(p1.returning(i), p2.returning(i));
            assertEquals(p1.xml(i), p2.xml(i));
            assertArrayEquals(p1.peers(i), p2.peers(i));
        }
        assertEquals(p1.address(5), p1.address(5));
    }

    @Test
    void addressesComeFromTheMapsPrefixesExceptAFewFromOutside() {
        Population p = new Population(MAP, Population.Mix.defaults(), 1);
        PrefixIndex index = MAP.index();
        int outside = 0;
        int n = 20_000;
        for (long i = 0; i < n; i++) {
            int ip = p.address(i);
            String pid = index.pidOf(IpAddress.parseLiteral(Population.literal(ip), "x")).orElseThrow();
            if (pid.equals("rest")) {
                outside++;
            }
            String lit = Population.literal(ip);
            assertFalse(lit.equals("16.0.0.0") || lit.equals("16.0.4.0") || lit.equals("16.1.0.0"), "a network address: " + lit);
        }
        assertEquals(Population.OUTSIDE, outside / (double) n, 0.005);
        assertEquals(3, p.prefixCount(), "the /0 default is not where customers sit");
    }

    @Test
    void theSharesOfTheMixAreKept() {
        Population p = new Population(MAP, new Population.Mix(0.3, 0.6, 0.1, 0.2, 4), 2);
        int n = 50_000;
        int returning = 0;
        int xml = 0;
        int serverPid = 0;
        int serverRank = 0;
        for (long i = 0; i < n; i++) {
            returning += p.returning(i) ? 1 : 0;
            xml += p.xml(i) ? 1 : 0;
            serverPid += p.serverPid(i) ? 1 : 0;
            serverRank += p.serverRank(i) ? 1 : 0;
        }
        assertEquals(0.3, returning / (double) n, 0.01);
        assertEquals(0.6, xml / (double) n, 0.01);
        assertEquals(0.1, serverPid / (double) n, 0.01);
        assertEquals(0.2, serverRank / (double) n, 0.01);
        assertEquals(4, p.peers(0).length);
    }

    @Test
    void aMixOutsideItsRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Population.Mix(1.5, 0, 0, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> new Population.Mix(0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Population.Mix(0, Double.NaN, 0, 0, 8));
    }

    @Test
    void literalsAreDottedQuads() {
        assertEquals("203.0.113.7", Population.literal((203 << 24) | (113 << 8) | 7));
        assertEquals("255.255.255.255", Population.literal(-1));
    }
}

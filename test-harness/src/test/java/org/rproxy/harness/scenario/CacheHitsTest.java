package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.scenario.Check.Verdict;

class CacheHitsTest {
    /** What the viewers of one target got, by step: documents and queries. */
    private static final Map<String, Long> VIEWER_STEPS = Map.of("json directory", 1_200L, "xml capability", 300L,
            "json network-map", 1_200L, "xml prop-pid", 300L, "json endpoint-prop", 400L, "xml pid-lookup", 100L,
            "json filtered-cost-map", 1_200L, "json endpoint-cost", 700L);

    @Test
    void onlyTheSharedDocumentStepsAreCounted() {
        assertEquals(3_000, CacheHits.documentRequests(VIEWER_STEPS));
    }

    @Test
    void behindTheCacheOnlyPlainGetsAreDocuments() {
        Map<String, Long> relay = Map.of("GET /directory", 8L, "GET /networkmap/default", 16L, "GET /capability", 8L,
                "GET /prop/pid/lookup?endpoint=ipv4:10.0.0.1", 1L, "POST /costmap/filtered", 1_200L);
        assertEquals(32, CacheHits.documentRequestsBehind(relay));
    }

    @Test
    void aCacheThatPassesEverythingOnFails() {
        Check c = CacheHits.check("nginx", new CacheHits.Counts(3_000, 3_000));
        assertEquals(Verdict.FAIL, c.verdict(), c.toString());
        assertEquals("0.0% (0 of 3,000; 3,000 reached the proxy)", c.measured());
    }

    @Test
    void aCacheThatAnswersMostPasses() {
        Check c = CacheHits.check("Varnish", new CacheHits.Counts(3_000, 64));
        assertEquals(Verdict.PASS, c.verdict(), c.toString());
        assertEquals("97.9% (2,936 of 3,000; 64 reached the proxy)", c.measured());
        assertEquals(">= 50%", c.expected());
    }

    @Test
    void theBoundIsHalf() {
        assertEquals(Verdict.PASS, CacheHits.check("nginx", new CacheHits.Counts(1_000, 500)).verdict());
        assertEquals(Verdict.FAIL, CacheHits.check("nginx", new CacheHits.Counts(1_000, 501)).verdict());
    }

    @Test
    void aCacheNobodyAskedHasNotShownItCaches() {
        Check c = CacheHits.check("nginx", new CacheHits.Counts(0, 0));
        assertEquals(Verdict.FAIL, c.verdict());
        assertEquals("no document requests through it", c.measured());
    }

    @Test
    void moreBehindThanAskedIsNoHits() {
        // revalidations on their own can outnumber a tiny crowd's requests: no negative ratio
        assertEquals(0.0, new CacheHits.Counts(10, 40).hitRatio());
    }
}

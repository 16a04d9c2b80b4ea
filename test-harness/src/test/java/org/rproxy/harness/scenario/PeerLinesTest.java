package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.rproxy.harness.scenario.OverlayFigures.Source;

class PeerLinesTest {
    private static final String NET = OverlayPeer.NETWORK_MAP;
    private static final String COST = OverlayPeer.COST_MAP;
    private static final Map<String, List<String>> GENUINE = Map.of(NET, List.of("n1"), COST, List.of("c1", "c2"));

    @Test
    void aPeersLinesMakeItsSample() throws Exception {
        PeerLines lines = new PeerLines(List.of("100.64.1.1", "100.64.1.2"), List.of(3L, 2L), "127.0.0.1:8282");
        lines.accept("ready ip=100.64.1.1 ms=900 tries=3");
        lines.accept("failed ip=100.64.1.2 why=java.util.concurrent.TimeoutException: no join");
        assertTrue(lines.await("join", Duration.ofSeconds(1)));
        assertEquals(1, lines.count("ready"));
        assertEquals(2, lines.bootstrapRetries());
        lines.accept(fetched(1, NET, "n1", 0, "magnet:?xt=urn:btih:aa"));
        lines.accept(fetched(1, COST, "c1", 1, "http://127.0.0.1:8282" + COST));
        lines.accept("end phase=1 ip=100.64.1.1 ms=2500");
        assertFalse(lines.await("phase1", Duration.ofMillis(10)), "the second peer has not ended phase 1");
        lines.accept("end phase=1 ip=100.64.1.2 ms=-1");
        assertTrue(lines.await("phase1", Duration.ofSeconds(1)));
        lines.accept(fetched(2, COST, "c2", 0, "magnet:?xt=urn:btih:bb"));
        lines.accept("changed ip=100.64.1.1 ms=4200 polls=1 source=magnet:?xt=urn:btih:bb");
        lines.accept("missed ip=100.64.1.2 polls=90");
        lines.accept("holds ip=100.64.1.1 net=n1 cost=c2");
        lines.accept("holds ip=100.64.1.2 net=- cost=-");
        assertTrue(lines.await("holds", Duration.ofSeconds(1)));
        List<PeerSample> s = lines.samples("n1", "c2");
        assertEquals(new PeerSample("100.64.1.1", 3, true, Source.OVERLAY, Source.PROXY, 2500, Source.OVERLAY, 4200, 1, true),
                s.get(0));
        assertEquals(new PeerSample("100.64.1.2", 2, false, Source.NONE, Source.NONE, -1, Source.NONE, -1, 0, false), s.get(1));
        assertEquals(1, lines.tampered());
        assertEquals(0, lines.badAccepted(GENUINE));
    }

    @Test
    void aVersionNotTheOriginsOrOlderThanOneHeldIsBad() {
        PeerLines lines = new PeerLines(List.of("100.64.1.1"), List.of(1L), "127.0.0.1:8282");
        lines.accept(fetched(1, COST, "c1", 0, "magnet:?xt=urn:btih:aa"));
        lines.accept(fetched(2, COST, "c1", 0, "magnet:?xt=urn:btih:aa"));
        lines.accept(fetched(2, COST, "c2", 0, "magnet:?xt=urn:btih:bb"));
        assertEquals(0, lines.badAccepted(GENUINE), "the same version again, then a newer one");
        lines.accept(fetched(2, COST, "c1", 0, "magnet:?xt=urn:btih:aa"));
        lines.accept(fetched(2, NET, "x9", 0, "magnet:?xt=urn:btih:cc"));
        assertEquals(2, lines.badAccepted(GENUINE));
    }

    @Test
    void theReasonTakesTheRestOfTheLine() {
        Map<String, String> f = PeerLines.fields("error ip=100.64.1.1 phase=2 target=/x why=no source left: a=b c");
        assertEquals("100.64.1.1", f.get("ip"));
        assertEquals("no source left: a=b c", f.get("why"));
        assertFalse(f.containsKey("a"));
    }

    private static String fetched(int phase, String target, String sha, int tampered, String source) {
        return "fetched ip=100.64.1.1 phase=" + phase + " target=" + target + " ms=10 sha=" + sha + " tampered=" + tampered
                + " rollback=0 missed=0 source=" + source;
    }
}

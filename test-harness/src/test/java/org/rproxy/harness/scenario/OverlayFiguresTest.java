package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.rproxy.harness.scenario.OverlayFigures.Shares;
import org.rproxy.harness.scenario.OverlayFigures.Source;

class OverlayFiguresTest {

    @Test
    void aMagnetLinkIsTheOverlayTheNamedProxyIsTheProxyAnythingElseTheOrigin() {
        assertEquals(Source.OVERLAY, Source.of("magnet:?xt=urn:btih:00ff", "127.0.0.1:8282"));
        assertEquals(Source.PROXY, Source.of("http://127.0.0.1:8282/costmap/routingcost-map", "127.0.0.1:8282"));
        assertEquals(Source.ORIGIN, Source.of("http://127.0.0.1:40000/costmap/routingcost-map", "127.0.0.1:8282"));
        assertEquals(Source.NONE, Source.of(null, "127.0.0.1:8282"));
    }

    @Test
    void viewersAreSplitEvenlyTheFirstPeersTakingTheRemainder() {
        assertEquals(List.of(4L, 3L, 3L), OverlayFigures.split(10, 3));
        assertEquals(List.of(0L, 0L), OverlayFigures.split(0, 2));
        assertEquals(100_000L, OverlayFigures.split(100_000, 200).stream().mapToLong(Long::longValue).sum());
        assertThrows(IllegalArgumentException.class, () -> OverlayFigures.split(10, 0));
    }

    @Test
    void eachViewerCountsOncePerDocumentWithItsPeersSource() {
        List<PeerSample> peers = List.of(
                sample("a", 30, Source.OVERLAY, Source.OVERLAY, Source.OVERLAY, 1000),
                sample("b", 10, Source.OVERLAY, Source.PROXY, Source.ORIGIN, 5000),
                sample("c", 60, Source.OVERLAY, Source.OVERLAY, Source.NONE, -1));
        Shares first = OverlayFigures.viewers(peers, List.of(PeerSample::net, PeerSample::cost));
        assertEquals(200, first.total());
        assertEquals(190, first.of(Source.OVERLAY));
        assertEquals(10, first.of(Source.PROXY));
        assertEquals(0.95, first.overlayShare(), 1e-9);
        Shares second = OverlayFigures.viewers(peers, List.of(PeerSample::changed));
        assertEquals(0.30, second.overlayShare(), 1e-9);
        assertEquals(60, second.of(Source.NONE));
        assertEquals("30.0 % overlay, 0.0 % proxy, 10.0 % origin, 60.0 % none (of 100)", second.describe());
        assertEquals(0.0, OverlayFigures.viewers(List.of(), List.of(PeerSample::net)).overlayShare());
    }

    @Test
    void reachIsTheNearestRankOverAllPeersCountingThoseThatNeverGotItAsLatest() {
        List<Long> ms = new ArrayList<>();
        for (long i = 1; i <= 100; i++) {
            ms.add(i * 100);
        }
        assertEquals(5_000, OverlayFigures.reach(ms, 50));
        assertEquals(9_000, OverlayFigures.reach(ms, 90));
        assertEquals(9_900, OverlayFigures.reach(ms, 99));
        assertEquals(10_000, OverlayFigures.reach(ms, 100));
        ms.set(0, -1L);
        assertEquals(-1, OverlayFigures.reach(ms, 100));
        assertEquals(10_000, OverlayFigures.reach(ms, 99), "the one that never got it is the last");
        assertEquals(5_100, OverlayFigures.reach(ms, 50));
        assertEquals("never", OverlayFigures.reachLine(List.of(-1L, -1L)).split(" / ")[0]);
        assertEquals("0.5 s / 1.0 s / 1.0 s", OverlayFigures.reachLine(List.of(1000L, 500L)));
        assertThrows(IllegalArgumentException.class, () -> OverlayFigures.reach(List.of(), 50));
        assertThrows(IllegalArgumentException.class, () -> OverlayFigures.reach(ms, 0));
    }

    @Test
    void aSampleWithoutTheChangeHasNoTimeForIt() {
        assertThrows(IllegalArgumentException.class, () -> sample("a", 1, Source.OVERLAY, Source.OVERLAY, Source.NONE, 10));
        assertThrows(IllegalArgumentException.class, () -> sample("a", 1, Source.OVERLAY, Source.OVERLAY, Source.PROXY, -1));
        assertEquals("a,1,true,overlay,proxy,100,origin,10,3,true",
                sample("a", 1, Source.OVERLAY, Source.PROXY, Source.ORIGIN, 10).csv());
    }

    private static PeerSample sample(String ip, long viewers, Source net, Source cost, Source changed, long changeMillis) {
        return new PeerSample(ip, viewers, true, net, cost, 100, changed, changeMillis, 3, true);
    }
}

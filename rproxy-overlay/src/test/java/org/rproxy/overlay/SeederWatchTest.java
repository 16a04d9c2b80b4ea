package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetSocketAddress;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** When a fetch's {@link SeederWatch} says nobody seeds its torrent, and when it waits on. */
class SeederWatchTest {
    private static final InetSocketAddress A = new InetSocketAddress("100.64.0.1", 7001);
    private static final InetSocketAddress B = new InetSocketAddress("100.64.0.2", 7002);

    @Test
    void threeLookupsThatHeardFromNodesAndFoundNoPeerShowNobodySeedsIt() {
        SeederWatch w = new SeederWatch();
        w.looked(new PeersFound(Set.of(), 0)); // nobody answered: proves nothing
        w.looked(new PeersFound(Set.of(), 3));
        w.looked(new PeersFound(Set.of(), 3));
        assertFalse(w.nobody().isDone());
        w.looked(new PeersFound(Set.of(), 2));
        assertEquals("nobody seeds it (3 DHT lookups of its peers found none)", w.nobody().getNow(null));
    }

    @Test
    void peersFoundAreWaitedForUntilEachRefusedTwice() {
        SeederWatch w = new SeederWatch();
        w.looked(new PeersFound(Set.of(A), 3));
        w.looked(new PeersFound(Set.of(B), 3));
        w.looked(new PeersFound(Set.of(), 3)); // a peer once found is not forgotten by a lookup that missed it
        w.refused(A);
        w.refused(A);
        w.refused(B);
        assertFalse(w.nobody().isDone(), "B refused once only");
        w.refused(B);
        assertEquals("nobody seeds it (each of the 2 peers the DHT named, " + A + " and others, refused it 2 times)",
                w.nobody().getNow(null));
    }

    @Test
    void aConnectionMadeMeansSomebodyMaySendWhateverFails() {
        SeederWatch w = new SeederWatch();
        w.looked(new PeersFound(Set.of(A), 3));
        w.connected();
        for (int i = 0; i < 5; i++) {
            w.refused(A);
            w.looked(new PeersFound(Set.of(), 3));
        }
        assertFalse(w.nobody().isDone());
    }

    @Test
    void aRefusalOfAPeerNoLookupNamedCountsForNothing() {
        SeederWatch w = new SeederWatch();
        w.refused(B);
        w.refused(B);
        w.looked(new PeersFound(Set.of(A), 3));
        w.refused(A);
        assertFalse(w.nobody().isDone());
    }
}

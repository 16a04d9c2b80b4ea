package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
    void aPeerThatShowedAPieceIsWaitedForWhateverFails() {
        List<Runnable> due = new ArrayList<>();
        SeederWatch w = new SeederWatch(due::add);
        w.looked(new PeersFound(Set.of(A), 3));
        w.connected(A);
        w.served();
        due.forEach(Runnable::run);
        for (int i = 0; i < 5; i++) {
            w.refused(A);
            w.looked(new PeersFound(Set.of(), 3));
        }
        assertFalse(w.nobody().isDone());
    }

    @Test
    void aConnectedPeerIsWaitedForUntilItHasGoneIdleWithoutAPiece() {
        List<Runnable> due = new ArrayList<>();
        SeederWatch w = new SeederWatch(due::add);
        w.looked(new PeersFound(Set.of(A), 3));
        w.connected(A);
        for (int i = 0; i < 5; i++) {
            w.looked(new PeersFound(Set.of(), 3));
        }
        assertFalse(w.nobody().isDone(), "connected less than the idle time ago");
        List.copyOf(due).forEach(Runnable::run);
        assertEquals("nobody seeds it (the one peer the DHT named, " + A + ", had none of it 5s after connecting)",
                w.nobody().getNow(null));
    }

    @Test
    void theMetadataGivesEachConnectedPeerTheIdleTimeAgain() {
        List<Runnable> due = new ArrayList<>();
        SeederWatch w = new SeederWatch(due::add);
        w.looked(new PeersFound(Set.of(A), 3));
        w.looked(new PeersFound(Set.of(B), 3));
        w.connected(A);
        w.refused(B);
        w.refused(B);
        w.metadata();
        due.remove(0).run();
        assertFalse(w.nobody().isDone(), "A has had the idle time since the metadata only partly");
        due.remove(0).run();
        assertEquals("nobody seeds it (each of the 2 peers the DHT named, " + A
                + " and others, refused it 2 times or had none of it 5s after connecting)", w.nobody().getNow(null));
    }

    @Test
    void aPeerConnectedFromElsewhereHoldsTheGiveUpOnlyForTheIdleTime() {
        List<Runnable> due = new ArrayList<>();
        SeederWatch w = new SeederWatch(due::add);
        w.connected(B); // connected to us: no lookup named it
        for (int i = 0; i < SeederWatch.EMPTY_LOOKUPS; i++) {
            w.looked(new PeersFound(Set.of(), 3));
        }
        assertFalse(w.nobody().isDone());
        due.forEach(Runnable::run);
        assertEquals("nobody seeds it (3 DHT lookups of its peers found none)", w.nobody().getNow(null));
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

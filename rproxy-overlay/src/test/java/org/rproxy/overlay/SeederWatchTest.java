package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** When a fetch's {@link SeederWatch} says nobody seeds its torrent, and when it waits on. */
class SeederWatchTest {
    private static final InetSocketAddress A = new InetSocketAddress("100.64.0.1", 7001);
    private static final InetSocketAddress B = new InetSocketAddress("100.64.0.2", 7002);

    @Test
    void threeLookupsThatHeardFromNodesAndFoundNoPeerOverTheSpanShowNobodySeedsIt() {
        long[] now = {0};
        SeederWatch w = new SeederWatch(r -> { }, () -> now[0]);
        w.looked(new PeersFound(List.of(), 0)); // nobody answered: proves nothing
        now[0] += SeederWatch.EMPTY_SPAN.toNanos(); // nor does it start the span
        w.looked(new PeersFound(List.of(), 3));
        now[0] += SeederWatch.EMPTY_SPAN.toNanos() - 1;
        w.looked(new PeersFound(List.of(), 3));
        w.looked(new PeersFound(List.of(), 3));
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null)); // three, but within the span
        now[0] += 1;
        w.looked(new PeersFound(List.of(), 2));
        assertEquals("nobody seeds it (4 DHT lookups of its peers over 5s found none)", w.nobody().getNow(null));
    }

    @Test
    void lookupsOverTheSpanShowNobodySeedsItOnlyOnceThreeHeardFromNodes() {
        long[] now = {0};
        SeederWatch w = new SeederWatch(r -> { }, () -> now[0]);
        w.looked(new PeersFound(List.of(), 3));
        now[0] += 2 * SeederWatch.EMPTY_SPAN.toNanos();
        w.looked(new PeersFound(List.of(), 3));
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null));
        w.looked(new PeersFound(List.of(), 3));
        assertEquals("nobody seeds it (3 DHT lookups of its peers over 5s found none)", w.nobody().getNow(null));
    }

    /**
     * A flash crowd: a reader finds the pointer before the publisher's announcement has landed,
     * and its lookups come back empty one right after another (bt polls each second, sooner
     * under load when polls queue). Three of them within a second prove nothing: the give-up
     * waits until empty lookups span {@link SeederWatch#EMPTY_SPAN}, and the announcement landing
     * meanwhile keeps the fetch.
     */
    @Test
    void emptyLookupsInQuickSuccessionBeforeTheAnnouncementLandsAreNoGiveUp() {
        long[] now = {0};
        SeederWatch w = new SeederWatch(r -> { }, () -> now[0]);
        for (int i = 0; i < SeederWatch.EMPTY_LOOKUPS + 2; i++) {
            w.looked(new PeersFound(List.of(), 8));
            now[0] += 200_000_000L;
        }
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null));
        w.looked(new PeersFound(List.of(A), 8)); // the announcement landed
        now[0] += SeederWatch.EMPTY_SPAN.toNanos();
        w.looked(new PeersFound(List.of(), 8));
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null));
    }

    @Test
    void peersFoundAreWaitedForUntilEachRefusedTwice() {
        SeederWatch w = new SeederWatch();
        w.looked(new PeersFound(List.of(A), 3));
        w.looked(new PeersFound(List.of(B), 3));
        w.looked(new PeersFound(List.of(), 3)); // a peer once found is not forgotten by a lookup that missed it
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
        w.looked(new PeersFound(List.of(A), 3));
        w.connected(A);
        w.served();
        due.forEach(Runnable::run);
        for (int i = 0; i < 5; i++) {
            w.refused(A);
            w.looked(new PeersFound(List.of(), 3));
        }
        assertFalse(w.nobody().isDone());
    }

    @Test
    void aConnectedPeerIsWaitedForUntilItHasGoneIdleWithoutAPiece() {
        List<Runnable> due = new ArrayList<>();
        SeederWatch w = new SeederWatch(due::add);
        w.looked(new PeersFound(List.of(A), 3));
        w.connected(A);
        for (int i = 0; i < 5; i++) {
            w.looked(new PeersFound(List.of(), 3));
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
        w.looked(new PeersFound(List.of(A), 3));
        w.looked(new PeersFound(List.of(B), 3));
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
        long[] now = {0};
        SeederWatch w = new SeederWatch(due::add, () -> now[0]);
        w.connected(B); // connected to us: no lookup named it
        for (int i = 0; i < SeederWatch.EMPTY_LOOKUPS; i++) {
            w.looked(new PeersFound(List.of(), 3));
            now[0] += SeederWatch.EMPTY_SPAN.toNanos();
        }
        assertFalse(w.nobody().isDone());
        due.forEach(Runnable::run);
        assertEquals("nobody seeds it (3 DHT lookups of its peers over 5s found none)", w.nobody().getNow(null));
    }

    @Test
    void aRefusalOfAPeerNoLookupNamedCountsForNothing() {
        SeederWatch w = new SeederWatch();
        w.refused(B);
        w.refused(B);
        w.looked(new PeersFound(List.of(A), 3));
        w.refused(A);
        assertFalse(w.nobody().isDone());
    }
}

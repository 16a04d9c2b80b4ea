package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * The span counts from the start of the first lookup that heard from nodes: one held 3 s by a
     * gone node's stalls looked at the DHT all that time (counted from its end, a fetch nobody
     * seeds was given up past a client's default budget of 10 s).
     */
    @Test
    void theSpanCountsFromTheStartOfTheFirstLookupThatHeardFromNodes() {
        long[] now = {0};
        SeederWatch w = new SeederWatch(r -> { }, () -> now[0]);
        w.looking();
        now[0] += 1_000_000_000L;
        w.looked(new PeersFound(List.of(), 0)); // nobody answered: neither counts nor starts the span
        w.looking();
        long start = now[0];
        now[0] += 3_000_000_000L; // a gone node's two stalls
        w.looked(new PeersFound(List.of(), 3));
        w.looking();
        w.looked(new PeersFound(List.of(), 3));
        w.looking();
        now[0] = start + SeederWatch.EMPTY_SPAN.toNanos() - 1;
        w.looked(new PeersFound(List.of(), 3));
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null)); // three, within the span from the start
        w.looking();
        now[0] = start + SeederWatch.EMPTY_SPAN.toNanos();
        w.looked(new PeersFound(List.of(), 3));
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
        long[] now = {0};
        SeederWatch w = new SeederWatch(r -> { }, () -> now[0]);
        w.looked(new PeersFound(List.of(A), 3));
        w.looked(new PeersFound(List.of(B), 3));
        w.looked(new PeersFound(List.of(), 3)); // a peer once found is not forgotten by a lookup that missed it
        w.refused(A);
        w.refused(A);
        w.refused(B);
        assertFalse(w.nobody().isDone(), "B refused once only");
        assertFalse(w.exhausted(), "B refused once only");
        w.refused(B);
        assertTrue(w.exhausted(), "each peer found refused twice: the DHT is to be asked again");
        askedAgainInVain(w, now);
        assertEquals("nobody seeds it (each of the 2 peers the DHT named, " + A + " and others, refused it 2 times; "
                + "3 DHT lookups over 5s since named no other)", w.nobody().getNow(null));
    }

    /**
     * The DHT named only the publisher, which left (refused twice); the peer seeding the torrent
     * announces a moment later. The fetch asks the DHT again before it gives up, and the peer a
     * later lookup names keeps it. Before, it gave up at the second refusal ("nobody seeds it
     * (the one peer the DHT named, /100.64.0.1:7001, refused it 2 times)"), 2 s into a 1 min
     * budget, and the client pulled what a peer had.
     */
    @Test
    void aPublisherThatLeftIsNoGiveUpUntilTheDhtWasAskedAgain() {
        long[] now = {0};
        SeederWatch w = new SeederWatch(r -> { }, () -> now[0]);
        w.looked(new PeersFound(List.of(A), 3));
        w.refused(A);
        w.refused(A);
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null));
        assertTrue(w.exhausted());
        for (int i = 0; i < SeederWatch.EMPTY_LOOKUPS - 1; i++) {
            now[0] += SeederWatch.EMPTY_SPAN.toNanos();
            w.looked(new PeersFound(List.of(A), 3)); // the departed publisher alone, again
        }
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null));
        w.looked(new PeersFound(List.of(A, B), 3)); // the seeder's announcement landed
        assertFalse(w.exhausted(), "a new peer to try");
        now[0] += SeederWatch.EMPTY_SPAN.toNanos();
        w.looked(new PeersFound(List.of(A, B), 3));
        assertFalse(w.nobody().isDone(), w.nobody().getNow(null));
    }

    @Test
    void lookupsAfterEachPeerFailedShowNobodySeedsItOnlyOnceThreeOverTheSpanNamedNoOther() {
        long[] now = {0};
        SeederWatch w = new SeederWatch(r -> { }, () -> now[0]);
        w.looked(new PeersFound(List.of(A), 3));
        w.refused(A);
        w.refused(A);
        for (int i = 0; i < SeederWatch.EMPTY_LOOKUPS + 2; i++) {
            w.looked(new PeersFound(List.of(A), 3));
            w.looked(new PeersFound(List.of(), 0)); // nobody answered: proves nothing
        }
        assertFalse(w.nobody().isDone(), "many lookups, but within the span: " + w.nobody().getNow(null));
        now[0] += SeederWatch.EMPTY_SPAN.toNanos();
        w.looked(new PeersFound(List.of(), 3));
        assertEquals("nobody seeds it (the one peer the DHT named, " + A + ", refused it 2 times; "
                + "6 DHT lookups over 5s since named no other)", w.nobody().getNow(null));
    }

    @Test
    void lookupsAfterEachPeerFailedBackOff() {
        int[] looks = new int[12];
        int at = 0;
        for (int i = 1; i < looks.length; i++) {
            at += DhtPeerSource.gap(at);
            looks[i] = at;
        }
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 17, 22}, looks);
        assertEquals(DhtPeerSource.LOOK_EVERY, DhtPeerSource.gap(1_000));
    }

    /** {@link SeederWatch#EMPTY_LOOKUPS} lookups over {@link SeederWatch#EMPTY_SPAN} naming no other peer. */
    private static void askedAgainInVain(SeederWatch w, long[] now) {
        for (int i = 0; i < SeederWatch.EMPTY_LOOKUPS; i++) {
            assertFalse(w.nobody().isDone(), w.nobody().getNow(null));
            now[0] += SeederWatch.EMPTY_SPAN.toNanos() / (SeederWatch.EMPTY_LOOKUPS - 1);
            w.looked(new PeersFound(List.of(), 3));
        }
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
        long[] now = {0};
        SeederWatch w = new SeederWatch(due::add, () -> now[0]);
        w.looked(new PeersFound(List.of(A), 3));
        w.connected(A);
        for (int i = 0; i < 5; i++) {
            w.looked(new PeersFound(List.of(), 3));
        }
        assertFalse(w.nobody().isDone(), "connected less than the idle time ago");
        List.copyOf(due).forEach(Runnable::run);
        askedAgainInVain(w, now);
        assertEquals("nobody seeds it (the one peer the DHT named, " + A + ", had none of it 5s after connecting; "
                + "3 DHT lookups over 5s since named no other)", w.nobody().getNow(null));
    }

    @Test
    void theMetadataGivesEachConnectedPeerTheIdleTimeAgain() {
        List<Runnable> due = new ArrayList<>();
        long[] now = {0};
        SeederWatch w = new SeederWatch(due::add, () -> now[0]);
        w.looked(new PeersFound(List.of(A), 3));
        w.looked(new PeersFound(List.of(B), 3));
        w.connected(A);
        w.refused(B);
        w.refused(B);
        w.metadata();
        due.remove(0).run();
        assertFalse(w.nobody().isDone(), "A has had the idle time since the metadata only partly");
        due.remove(0).run();
        askedAgainInVain(w, now);
        assertEquals("nobody seeds it (each of the 2 peers the DHT named, " + A
                + " and others, refused it 2 times or had none of it 5s after connecting; "
                + "3 DHT lookups over 5s since named no other)", w.nobody().getNow(null));
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

package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import lbms.plugins.mldht.kad.Key;
import org.junit.jupiter.api.Test;

class ContactAsksTest {
    private static final InetSocketAddress A = new InetSocketAddress("100.64.0.3", 6881);
    private static final Key ID = Key.createRandomKey();

    private final AtomicLong now = new AtomicLong();
    private final ContactAsks asks = new ContactAsks(now::get);

    /** The seconds, of one tick a second for {@code seconds} from {@code from}, at which {@code contact} is asked. */
    private List<Integer> askedAt(InetSocketAddress contact, int from, int seconds) {
        List<Integer> out = new ArrayList<>();
        for (int s = from; s < from + seconds; s++) {
            now.set(s * 1000L);
            if (asks.due().contains(contact)) {
                out.add(s);
            }
        }
        return out;
    }

    private static InetSocketAddress at(int host) {
        return new InetSocketAddress("100.64.0." + host, 6881);
    }

    @Test
    void aContactIsAskedAFewTimesWithBackoffThenNoMore() {
        asks.heard(A, ID);
        assertEquals(List.of(0, 1, 3, 7, 15), askedAt(A, 0, 600));
    }

    @Test
    void aContactGivenUpIsAskedAgainOnlyOnceItContactedTheNodeAnewAndTheQuietTimePassed() {
        asks.heard(A, ID);
        askedAt(A, 0, 16);
        long quietEnd = 15_000 + ContactAsks.QUIET_MILLIS;
        now.set(quietEnd + 1000);
        assertFalse(asks.due().contains(A), "the quiet time passed, not contacted anew");
        now.set(16_000);
        asks.heard(A, ID);
        now.set(quietEnd - 1);
        assertFalse(asks.due().contains(A), "contacted anew with the same id, the quiet time not passed");
        now.set(quietEnd + 1000);
        assertTrue(asks.due().contains(A), "both");
        now.set(quietEnd + 1500);
        assertFalse(asks.due().contains(A), "then with backoff again");
    }

    @Test
    void aContactGivenUpThatComesBackWithAnotherNodeIdIsAskedOnceMoreAtOnce() {
        asks.heard(A, ID);
        askedAt(A, 0, 16);
        now.set(20_000);
        asks.heard(A, ID);
        assertFalse(asks.due().contains(A), "the same id: left alone");
        asks.heard(A, Key.createRandomKey());
        assertTrue(asks.due().contains(A), "another id: asked once more");
        assertEquals(List.of(), askedAt(A, 21, 100), "then given up again");
    }

    @Test
    void contactsNeverAskedGoFirstAndTheGivenUpTakeNoPlace() {
        for (int h = 20; h < 32; h++) {
            asks.heard(at(h), Key.createRandomKey());
        }
        assertEquals(ContactAsks.AT_ONCE, asks.due().size(), "at most " + ContactAsks.AT_ONCE + " at once");
        now.set(1000);
        asks.heard(A, ID);
        List<InetSocketAddress> second = asks.due();
        assertEquals(List.of(at(28), at(29), at(30), at(31), A), second.subList(0, 5), "the never asked first");
        for (int s = 2; s < 60; s++) {
            now.set(s * 1000L);
            asks.due();
        }
        now.set(60_000);
        InetSocketAddress late = at(40);
        asks.heard(late, ID);
        assertEquals(List.of(late), asks.due(), "the given up are not asked, nor in the way");
    }

    @Test
    void contactsAreCountedApart() {
        asks.heard(A, ID);
        askedAt(A, 0, 20);
        InetSocketAddress b = at(4);
        asks.heard(b, ID);
        assertEquals(List.of(20, 21, 23, 27, 35), askedAt(b, 20, 100));
    }

    /**
     * One host querying from 16 new source ports a second, from 30 s before an honest contact
     * is heard of and on after it: the honest one is still asked at the next round. Before, every
     * port was a contact of its own, asked in the order heard, and the honest one was not asked in
     * 120 rounds.
     */
    @Test
    void oneHostQueryingFromManyPortsKeepsNoOtherContactFromBeingAsked() {
        InetSocketAddress honest = at(3);
        int port = 10_000;
        for (int s = 0; s < 150; s++) {
            now.set(s * 1000L);
            for (int i = 0; i < 16; i++) {
                asks.heard(new InetSocketAddress("100.64.0.9", port++), Key.createRandomKey());
            }
            if (s == 30) {
                asks.heard(honest, ID);
            }
            List<InetSocketAddress> due = asks.due();
            if (due.contains(honest)) {
                assertEquals(30, s, "asked at the round it was heard of");
                return;
            }
        }
        throw new AssertionError("the honest contact was not asked in 120 rounds beside a host querying from many ports");
    }
}

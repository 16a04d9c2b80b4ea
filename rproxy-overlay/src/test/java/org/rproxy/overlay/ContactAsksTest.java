package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ContactAsksTest {
    private static final InetSocketAddress A = new InetSocketAddress("100.64.0.3", 6881);

    /** The seconds, of one tick a second for {@code seconds}, at which {@code contact} is asked. */
    private static List<Integer> askedAt(ContactAsks asks, InetSocketAddress contact, long lastSeen, int from, int seconds) {
        List<Integer> out = new ArrayList<>();
        for (int s = from; s < from + seconds; s++) {
            if (asks.ask(contact, lastSeen, s * 1000L)) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void aContactIsAskedAFewTimesWithBackoffThenNoMore() {
        ContactAsks asks = new ContactAsks();
        assertEquals(List.of(0, 1, 3, 7, 15), askedAt(asks, A, 0, 0, 600));
    }

    @Test
    void aContactGivenUpIsAskedAgainOnlyOnceItContactedTheNodeAnewAndTheQuietTimePassed() {
        ContactAsks asks = new ContactAsks();
        askedAt(asks, A, 0, 0, 16);
        long gaveUp = 15_000;
        long quietEnd = gaveUp + ContactAsks.QUIET_MILLIS;
        assertFalse(asks.ask(A, gaveUp + 1000, quietEnd - 1), "contacted anew, the quiet time not passed");
        assertFalse(asks.ask(A, gaveUp, quietEnd + 1000), "the quiet time passed, not contacted anew");
        assertTrue(asks.ask(A, gaveUp + 1000, quietEnd + 1000), "both");
        assertFalse(asks.ask(A, gaveUp + 1000, quietEnd + 1500), "then with backoff again");
    }

    @Test
    void contactsAreCountedApart() {
        ContactAsks asks = new ContactAsks();
        InetSocketAddress b = new InetSocketAddress("100.64.0.4", 6881);
        askedAt(asks, A, 0, 0, 20);
        assertEquals(List.of(20, 21, 23, 27, 35), askedAt(asks, b, 0, 20, 100));
    }
}

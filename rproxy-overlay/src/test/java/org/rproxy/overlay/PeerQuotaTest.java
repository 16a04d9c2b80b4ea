package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import lbms.plugins.mldht.kad.Key;

import org.junit.jupiter.api.Test;
import org.rproxy.overlay.StoreQuota.Admission;

class PeerQuotaTest {
    private static Key hash(int n) {
        byte[] b = new byte[20];
        b[0] = (byte) n;
        return new Key(b);
    }

    @Test
    void oneNetworkAnnouncesNoMoreThanItsQuotaAndTheTotalIsBounded() throws Exception {
        PeerQuota q = new PeerQuota(new StoreLimits(100, 100, 3, 2));
        InetAddress a = InetAddress.getByName("100.64.1.1");
        InetAddress b = InetAddress.getByName("100.64.1.2");
        assertTrue(announce(q, hash(1), a, 6881));
        assertTrue(announce(q, hash(1), a, 6882), "another port");
        assertFalse(announce(q, hash(2), b, 6881), "a third entry from the same /24");
        assertEquals(Admission.HELD, q.reserve(hash(1), a, 6881), "a repeated announce refreshes its entry");
        assertTrue(announce(q, hash(2), InetAddress.getByName("100.64.2.1"), 6881));
        assertFalse(announce(q, hash(3), InetAddress.getByName("100.64.3.1"), 6881), "the total");
        assertEquals(3, q.size());
    }

    @Test
    void entriesNotAnnouncedAgainStopCountingAfterMldhtsAge() throws Exception {
        PeerQuota q = new PeerQuota(new StoreLimits(100, 100, 100, 1));
        InetAddress a = InetAddress.getByName("100.64.1.1");
        assertTrue(announce(q, hash(1), a, 6881));
        assertFalse(announce(q, hash(2), a, 6881));
        q.trim(PeerQuota.COUNTED_MILLIS - 1);
        assertEquals(1, q.size(), "mldht may still hold it");
        q.trim(PeerQuota.COUNTED_MILLIS);
        assertEquals(0, q.size());
        assertTrue(announce(q, hash(2), a, 6881));
    }

    @Test
    void anAnnounceMldhtDidNotStoreFreesItsPlace() throws Exception {
        PeerQuota q = new PeerQuota(new StoreLimits(100, 100, 100, 1));
        InetAddress a = InetAddress.getByName("100.64.1.1");
        Admission r = q.reserve(hash(1), a, 6881);
        assertEquals(Admission.REFUSED, q.reserve(hash(2), a, 6881), "one reserved, not settled yet");
        q.settle(r, hash(1), a, 6881, false, 0);
        assertEquals(0, q.size());
        assertTrue(announce(q, hash(2), a, 6881));
    }

    /** Announces as mldht would store it when let through; whether it was. */
    private static boolean announce(PeerQuota q, Key infoHash, InetAddress from, int port) {
        Admission r = q.reserve(infoHash, from, port);
        if (r == Admission.REFUSED) {
            return false;
        }
        q.settle(r, infoHash, from, port, true, 0);
        return true;
    }
}

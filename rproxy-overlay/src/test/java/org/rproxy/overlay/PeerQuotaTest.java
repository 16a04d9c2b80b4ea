package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import lbms.plugins.mldht.kad.Key;

import org.junit.jupiter.api.Test;

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
        assertTrue(q.admits(hash(1), a, 6881));
        q.stored(hash(1), a, 6881, 0);
        assertTrue(q.admits(hash(1), a, 6882), "another port");
        q.stored(hash(1), a, 6882, 0);
        assertFalse(q.admits(hash(2), b, 6881), "a third entry from the same /24");
        assertTrue(q.admits(hash(1), a, 6881), "a repeated announce refreshes its entry");
        InetAddress c = InetAddress.getByName("100.64.2.1");
        assertTrue(q.admits(hash(2), c, 6881));
        q.stored(hash(2), c, 6881, 0);
        assertFalse(q.admits(hash(3), InetAddress.getByName("100.64.3.1"), 6881), "the total");
        assertEquals(3, q.size());
    }

    @Test
    void entriesNotAnnouncedAgainStopCountingAfterMldhtsAge() throws Exception {
        PeerQuota q = new PeerQuota(new StoreLimits(100, 100, 100, 1));
        InetAddress a = InetAddress.getByName("100.64.1.1");
        q.stored(hash(1), a, 6881, 0);
        assertFalse(q.admits(hash(2), a, 6881));
        q.trim(PeerQuota.COUNTED_MILLIS - 1);
        assertEquals(1, q.size(), "mldht may still hold it");
        q.trim(PeerQuota.COUNTED_MILLIS);
        assertEquals(0, q.size());
        assertTrue(q.admits(hash(2), a, 6881));
    }
}

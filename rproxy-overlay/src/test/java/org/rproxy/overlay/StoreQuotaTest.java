package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.Key;

import org.junit.jupiter.api.Test;
import org.rproxy.overlay.StoreQuota.Admission;

class StoreQuotaTest {
    private static final Key OUR_ID = new Key(new byte[20]);
    private final Map<Key, StorageItem> items = new ConcurrentHashMap<>();

    /** A target at distance {@code d} (its first byte) from {@link #OUR_ID}. */
    private static Key at(int d) {
        byte[] b = new byte[20];
        b[0] = (byte) d;
        b[19] = 1;
        return new Key(b);
    }

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    /** Puts {@code target} as mldht would after an admitted put, and records it. */
    private boolean put(StoreQuota q, Key target, String from) throws Exception {
        Admission a = q.reserve(target, ip(from), items);
        if (a == Admission.REFUSED) {
            return false;
        }
        items.put(target, GenericStorage.buildImmutable("item " + target));
        q.settle(a, target, ip(from), true);
        return true;
    }

    @Test
    void putsHandledSideBySideCannotPassTheQuotaTogether() throws Exception {
        StoreQuota q = new StoreQuota(new StoreLimits(100, 2, 100, 2));
        Admission first = q.reserve(at(1), ip("100.64.1.1"), items);
        Admission second = q.reserve(at(2), ip("100.64.1.2"), items);
        assertEquals(Admission.REFUSED, q.reserve(at(3), ip("100.64.1.3"), items), "two reserved, none settled yet");
        q.settle(first, at(1), ip("100.64.1.1"), false);
        assertEquals(Admission.RESERVED, q.reserve(at(3), ip("100.64.1.3"), items), "a put that stored nothing frees its place");
        assertEquals(Admission.RESERVED, second);
    }

    @Test
    void oneSlash24OrSlash64TakesNoMoreThanItsQuotaButUpdatesItsItems() throws Exception {
        StoreQuota q = new StoreQuota(new StoreLimits(100, 2, 100, 2));
        assertTrue(put(q, at(1), "100.64.1.5"));
        assertTrue(put(q, at(2), "100.64.1.200"));
        assertFalse(put(q, at(3), "100.64.1.9"), "a third item from the same /24");
        assertTrue(put(q, at(1), "100.64.1.9"), "a newer version of an item held");
        assertTrue(put(q, at(3), "100.64.2.9"), "another /24");
        assertTrue(put(q, at(4), "2001:db8:0:1::1"));
        assertTrue(put(q, at(5), "2001:db8:0:1:ffff::2"));
        assertFalse(put(q, at(6), "2001:db8:0:1:1234::3"), "a third item from the same /64");
        assertTrue(put(q, at(6), "2001:db8:0:2::1"), "another /64");
        assertEquals(2, q.fromNetworkOf(ip("100.64.1.1")));
    }

    @Test
    void theNodeTakesNoNewItemPastItsCeiling() throws Exception {
        StoreLimits limits = new StoreLimits(8, 100, 8, 100);
        StoreQuota q = new StoreQuota(limits);
        int taken = 0;
        for (int i = 1; i <= 20; i++) {
            if (put(q, at(i), "100.64." + i + ".1")) {
                taken++;
            }
        }
        assertEquals(limits.ceiling(), taken);
        assertEquals(9, limits.ceiling());
    }

    @Test
    void theTrimDropsTheFarthestFirstAndNeverOurOwnPointers() throws Exception {
        StoreQuota q = new StoreQuota(new StoreLimits(4, 100, 4, 100));
        q.own(at(90));
        for (int d : new int[] {10, 20, 200, 30}) {
            assertTrue(put(q, at(d), "100.64.1.1"));
        }
        items.put(at(90), GenericStorage.buildImmutable("our own pointer, put back on us by a reader"));
        assertEquals(1, q.trim(items, OUR_ID));
        assertEquals(4, items.size());
        assertTrue(items.containsKey(at(90)), "our own pointer, though the farthest");
        assertFalse(items.containsKey(at(200)), "the farthest of the others");
        assertEquals(3, q.fromNetworkOf(ip("100.64.1.1")), "the dropped item no longer counts for its /24");
    }

    @Test
    void itemsGoneFromTheStoreNoLongerCountForTheirSource() throws Exception {
        StoreQuota q = new StoreQuota(new StoreLimits(100, 2, 100, 2));
        assertTrue(put(q, at(1), "100.64.1.1"));
        assertTrue(put(q, at(2), "100.64.1.1"));
        assertFalse(put(q, at(3), "100.64.1.1"));
        items.remove(at(1));
        assertEquals(0, q.trim(items, OUR_ID));
        assertEquals(1, q.fromNetworkOf(ip("100.64.1.1")));
        assertTrue(put(q, at(3), "100.64.1.1"), "room again once mldht expired one");
    }
}

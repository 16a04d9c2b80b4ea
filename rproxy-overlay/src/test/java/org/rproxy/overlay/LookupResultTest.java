package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;

import org.junit.jupiter.api.Test;

class LookupResultTest {
    private final Key target = Key.createRandomKey();
    private final List<KBucketEntry> byDistance = new ArrayList<>();
    private final Map<KBucketEntry, byte[]> tokens = new HashMap<>();

    LookupResultTest() {
        for (int i = 0; i < 12; i++) {
            KBucketEntry e = new KBucketEntry(new InetSocketAddress("100.64.1." + (i + 1), 6881), Key.createRandomKey());
            byDistance.add(e);
            tokens.put(e, new byte[] {(byte) i});
        }
        byDistance.sort(new KBucketEntry.DistanceOrder(target));
    }

    @Test
    void aPutGoesToTheClosestNodesThatAnswered() {
        LookupResult r = new LookupResult(target, tokens, Optional.empty(), Map.of(), List.of(), 12);
        Map<KBucketEntry, byte[]> to = r.closestTokens(NearestLookup.K);
        assertEquals(Set.copyOf(byDistance.subList(0, NearestLookup.K)), to.keySet());
        assertEquals(12, r.answered());
    }

    @Test
    void aFoundPointerIsStoredAgainOnlyWhereTheClosestLackedIt() {
        DhtKey key = DhtKey.ofSeed(new SecureRandom().generateSeed(32));
        StorageItem item = new Pointer(key.publicKey(), "routingcost-map", 7, new byte[20], 900).sign(key);
        Map<KBucketEntry, Long> seqs = new HashMap<>();
        seqs.put(byDistance.get(0), 7L);   // has it
        seqs.put(byDistance.get(1), 6L);   // has an older one
        seqs.put(byDistance.get(9), 7L);   // has it, but is not among the closest
        LookupResult r = new LookupResult(target, tokens, Optional.of(item), seqs, List.of(), 12);
        Map<KBucketEntry, byte[]> lacking = r.lacking(NearestLookup.K);
        assertFalse(lacking.containsKey(byDistance.get(0)));
        assertTrue(lacking.containsKey(byDistance.get(1)));
        assertEquals(NearestLookup.K - 1, lacking.size());
        assertTrue(lacking.keySet().stream().allMatch(e -> byDistance.indexOf(e) < NearestLookup.K));
    }
}

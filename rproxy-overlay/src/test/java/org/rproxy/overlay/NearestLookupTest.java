package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

class NearestLookupTest {
    private static final byte[] IH = new byte[20];

    static {
        Arrays.fill(IH, (byte) 9);
    }

    private static DhtKey key() {
        return DhtKeys.fresh();
    }

    @Test
    void onlyAnIdenticalCopyOfTheItemTakenSkipsTheSignatureCheck() {
        DhtKey key = key();
        StorageItem taken = new Pointer(key.publicKey(), "routingcost-map", 5, IH, 10).sign(key);

        assertTrue(GetAnswers.sameAs(new Pointer(key.publicKey(), "routingcost-map", 5, IH, 10).sign(key), taken),
                "Ed25519 signs deterministically: the same pointer signed again is the same item");
        assertFalse(GetAnswers.sameAs(new Pointer(key.publicKey(), "routingcost-map", 6, IH, 10).sign(key), taken),
                "a newer version");
        assertFalse(GetAnswers.sameAs(new Pointer(key.publicKey(), "routingcost-map", 5, IH, 11).sign(key), taken),
                "another value under the same seq");
        assertFalse(GetAnswers.sameAs(taken, null), "nothing taken yet");
    }
}

package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.messages.GetResponse;

class GetAnswersTest {
    private static final byte[] SALT = "map-a".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static DhtKey key() {
        return DhtKeys.fresh();
    }

    /** A node's answer carrying {@code value} (bencoded) under {@code key}, signed with {@code sig} (null: none). */
    private static GetResponse answer(byte[] key, byte[] value, byte[] sig, long seq) {
        GetResponse r = new GetResponse(new byte[] {1, 2});
        r.setKey(key);
        r.setRawValue(ByteBuffer.wrap(value));
        r.setSignature(sig);
        r.setSequenceNumber(seq);
        return r;
    }

    private static byte[] bencodedString(int length) {
        String prefix = length + ":";
        byte[] out = Arrays.copyOf(prefix.getBytes(java.nio.charset.StandardCharsets.US_ASCII), prefix.length() + length);
        Arrays.fill(out, prefix.length(), out.length, (byte) 'x');
        return out;
    }

    @Test
    void aMutableItemWithoutSignatureOrWithAValueTooLargeIsDroppedNotThrown() {
        DhtKey key = key();
        Key target = GenericStorage.fingerprint(key.publicKey(), SALT, null);

        // mldht's own signature check threw NullPointerException, then BufferOverflowException, for these
        assertNull(GetAnswers.itemOf(answer(key.publicKey(), bencodedString(7), null, 9), "node", target, SALT, null));
        assertNull(GetAnswers.itemOf(answer(key.publicKey(), bencodedString(1400), new byte[64], 9), "node", target,
                SALT, null));
        assertNull(GetAnswers.itemOf(answer(key.publicKey(), bencodedString(7), new byte[3], 9), "node", target, SALT, null));
        assertNull(GetAnswers.itemOf(answer(key.publicKey(), bencodedString(7), new byte[64], 9), "node", target, SALT, null),
                "a signature that does not hold");
    }

    @Test
    void aSignedItemOfTheTargetIsTaken() {
        DhtKey key = key();
        StorageItem signed = new Pointer(key.publicKey(), "map-a", 5, new byte[20], 10).sign(key);
        byte[] value = DhtNode.bytes(signed.getRawValue());
        Key target = GenericStorage.fingerprint(key.publicKey(), SALT, null);
        byte[] sig = DhtNode.bytes(signed.sig().orElseThrow());

        StorageItem taken = GetAnswers.itemOf(answer(key.publicKey(), value, sig, 5), "node", target, SALT, null);

        assertEquals(5, taken.seq());
        assertNull(GetAnswers.itemOf(answer(key.publicKey(), value, sig, 5), "node", new Key(new byte[20]), SALT, null),
                "another target");
    }
}

package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

class PointerTest {
    private static final byte[] IH = new byte[20];

    static {
        Arrays.fill(IH, (byte) 7);
    }

    @Test
    void aSignedPointerReadsBackAsItWasPut(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("dht.pem");
        Files.writeString(pem, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        DhtKey key = DhtKey.read(pem);
        Pointer p = new Pointer(key.publicKey(), "my-default-network-map", 1_796_322_169L, IH, 894);

        StorageItem item = p.sign(key);

        assertTrue(item.validateSig(), "the BEP 44 signature holds");
        assertEquals(GenericStorage.fingerprint(key.publicKey(), Pointer.salt("my-default-network-map"), null),
                item.fingerprint(), "target = SHA-1(key + salt)");
        Pointer back = Pointer.of(item, "my-default-network-map");
        assertArrayEquals(key.publicKey(), back.publisher());
        assertEquals(1_796_322_169L, back.seq());
        assertArrayEquals(IH, back.infoHash());
        assertEquals(894, back.size());
        assertEquals("magnet:?xt=urn:btih:" + "07".repeat(20), back.magnet());
    }

    @Test
    void itsSourceNamesTheTorrentThePublisherAndTheResource() {
        byte[] publisher = new byte[32];
        publisher[31] = 0x0a;
        Pointer p = new Pointer(publisher, "map-a", 5, new byte[20], 9);
        String source = p.source();
        assertEquals("magnet:?xt=urn:btih:" + "00".repeat(20) + "&xs=urn:btpk:" + "00".repeat(31) + "0a&s=6d61702d61", source);
        assertEquals("00".repeat(31) + "0a", Pointer.publisherOf(source));
        assertEquals(null, Pointer.publisherOf(p.magnet()));
        assertEquals(20, Pointer.infoHashOf(source).length);
        assertEquals(java.util.HexFormat.of().formatHex(Pointer.infoHashOf(p.magnet())), "00".repeat(20));
    }

    @Test
    void anItemOfAnotherApplicationIsNoPointer() throws Exception {
        DhtKey key = DhtKey.ofSeed(new byte[32]);
        StorageItem other = GenericStorage.buildMutable("just text", key.privateKey(), Pointer.salt("r"), 3);
        assertNull(Pointer.of(other, "r"));
    }

    @Test
    void aNegativeSeqIsNoPointerAndNothingThrows() throws Exception {
        // BEP 44 signs any seq; a listed publisher turned bad must not break a client's fetch
        DhtKey key = DhtKey.ofSeed(new byte[32]);
        java.util.Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("ih", IH);
        value.put("n", 100L);
        StorageItem negative = GenericStorage.buildMutable(value, key.privateKey(), Pointer.salt("r"), -5);
        assertNull(Pointer.of(negative, "r"));
    }

    @Test
    void aSaltLongerThanBep44AllowsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Pointer(new byte[32], "r".repeat(65), 1, IH, 1));
        assertTrue(e.getMessage().startsWith("resourceId: "), e.getMessage());
    }

    @Test
    void aKeyThatIsNotEd25519IsRefusedWithTheFile(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("p256.pem");
        Files.writeString(pem, SigningKey.generate(SignatureAlgorithm.ECDSA_P256_SHA256, new SecureRandom()).toPkcs8Pem());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DhtKey.read(pem));
        assertTrue(e.getMessage().startsWith(pem + ": ") && e.getMessage().contains("Ed25519"), e.getMessage());
    }
}

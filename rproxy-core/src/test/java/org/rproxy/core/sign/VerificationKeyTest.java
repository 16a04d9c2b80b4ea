package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.rproxy.core.model.Jwk;

/** Public keys: SPKI PEM, JWK (RFC 8037 / RFC 7518) and the RFC 7638 thumbprint. */
class VerificationKeyTest {

    @TempDir
    Path dir;

    @Test
    void thumbprintOfTheRfc8037ExampleKey() {
        Jwk jwk = new Jwk("OKP", "Ed25519", TestKeys.RFC8037_X, null, TestKeys.RFC8037_THUMBPRINT, "ed25519");
        VerificationKey key = VerificationKey.fromJwk(jwk);
        assertEquals(TestKeys.RFC8037_THUMBPRINT, key.keyId());
        assertEquals(jwk, key.jwk());
    }

    @Test
    void readsTheRfc9421P256KeyAsAJwk() {
        VerificationKey key = VerificationKey.fromPem(TestKeys.RFC9421_P256_PUBLIC);
        assertEquals(SignatureAlgorithm.ECDSA_P256_SHA256, key.algorithm());
        assertEquals("EC", key.jwk().kty());
        assertEquals("P-256", key.jwk().crv());
        assertEquals("qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA", key.jwk().x());
        assertEquals("Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0", key.jwk().y());
        assertEquals(TestKeys.RFC9421_P256_PUBLIC, key.toSpkiPem());
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void pemAndJwkRoundTripsGiveAnEqualKey(SignatureAlgorithm algorithm) throws Exception {
        VerificationKey key = TestKeys.fresh(algorithm).publicKey();
        Path file = dir.resolve("origin.pub");
        Files.writeString(file, key.toSpkiPem());
        VerificationKey fromFile = VerificationKey.readPem(file);
        assertEquals(key, fromFile);
        assertEquals(key.hashCode(), fromFile.hashCode());
        assertEquals(key, VerificationKey.fromJwk(key.jwk()));
        assertEquals(algorithm.token(), key.jwk().alg());
        assertEquals(43, key.keyId().length());
    }

    @Test
    void differentKeysAreNotEqual() {
        assertNotEquals(TestKeys.fresh(SignatureAlgorithm.ED25519).publicKey(),
                TestKeys.fresh(SignatureAlgorithm.ED25519).publicKey());
    }

    @Test
    void ed25519JwkHasNoY() {
        assertNull(TestKeys.fresh(SignatureAlgorithm.ED25519).publicKey().jwk().y());
    }

    @Test
    void aJwkWhoseKidIsNotItsThumbprintIsRefused() {
        Jwk jwk = new Jwk("OKP", "Ed25519", TestKeys.RFC8037_X, null, "my-key", "ed25519");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VerificationKey.fromJwk(jwk));
        assertTrue(e.getMessage().contains(TestKeys.RFC8037_THUMBPRINT), e.getMessage());
    }

    @Test
    void aJwkWithTheWrongAlgIsRefused() {
        Jwk jwk = new Jwk("OKP", "Ed25519", TestKeys.RFC8037_X, null, TestKeys.RFC8037_THUMBPRINT, "ecdsa-p256-sha256");
        assertThrows(IllegalArgumentException.class, () -> VerificationKey.fromJwk(jwk));
    }

    @Test
    void aJwkOfAnotherTypeOrLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> VerificationKey.fromJwk(
                new Jwk("OKP", "X25519", TestKeys.RFC8037_X, null, "k", "ed25519")));
        assertThrows(IllegalArgumentException.class, () -> VerificationKey.fromJwk(
                new Jwk("OKP", "Ed25519", "AAAA", null, "k", "ed25519")));
        assertThrows(IllegalArgumentException.class, () -> VerificationKey.fromJwk(
                new Jwk("OKP", "Ed25519", "not base64url!", null, "k", "ed25519")));
    }

    @Test
    void anEcPointOffTheCurveIsRefused() {
        Jwk good = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256).publicKey().jwk();
        Jwk offCurve = new Jwk("EC", "P-256", good.x(), good.x(), good.kid(), good.alg());
        assertThrows(IllegalArgumentException.class, () -> VerificationKey.fromJwk(offCurve));
    }

    @Test
    void aPrivateKeyFileIsNotAPublicKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VerificationKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE));
        assertTrue(e.getMessage().endsWith("(found [PRIVATE KEY]: this is a private key; give the public key,"
                + " origin.pub as rproxy keygen names it)"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void verifyIsFalseForSignaturesOfTheWrongShape(SignatureAlgorithm algorithm) {
        VerificationKey key = TestKeys.fresh(algorithm).publicKey();
        byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
        assertFalse(key.verify(data, new byte[0]));
        assertFalse(key.verify(data, new byte[63]));
        assertFalse(key.verify(data, new byte[64]));
        byte[] ones = new byte[64];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertFalse(key.verify(data, ones));
    }
}

package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Private keys: PKCS#8 PEM in and out, signing for both algorithms, and clear errors. */
class SigningKeyTest {
    private static final byte[] DATA = "signature base".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void readsTheRfc9421TestKeyAndWritesItBackByteForByte() {
        SigningKey key = SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE);
        assertEquals(SignatureAlgorithm.ED25519, key.algorithm());
        assertEquals(TestKeys.RFC9421_ED25519_PRIVATE, key.toPkcs8Pem());
        assertEquals(TestKeys.RFC9421_ED25519_PUBLIC, key.publicKey().toSpkiPem());
    }

    @Test
    void derivesTheRfc8037PublicKeyAndThumbprint() {
        SigningKey key = SigningKey.fromPem(TestKeys.rfc8037PrivatePem());
        assertEquals(TestKeys.RFC8037_X, key.publicKey().jwk().x());
        assertEquals(TestKeys.RFC8037_THUMBPRINT, key.keyId());
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void pemRoundTripKeepsTheKey(SignatureAlgorithm algorithm) throws Exception {
        SigningKey key = TestKeys.fresh(algorithm);
        Path file = dir.resolve("origin.pem");
        Files.writeString(file, key.toPkcs8Pem());
        SigningKey back = SigningKey.readPem(file);
        assertEquals(algorithm, back.algorithm());
        assertEquals(key.publicKey(), back.publicKey());
        // Both algorithms sign deterministically, so the same key gives the same signature.
        assertArrayEquals(key.sign(DATA), back.sign(DATA));
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void signaturesAre64BytesAndVerify(SignatureAlgorithm algorithm) {
        SigningKey key = TestKeys.fresh(algorithm);
        byte[] sig = key.sign(DATA);
        assertEquals(64, sig.length);
        assertTrue(key.publicKey().verify(DATA, sig));
        assertFalse(key.publicKey().verify("other".getBytes(StandardCharsets.US_ASCII), sig));
        sig[10] ^= 1;
        assertFalse(key.publicKey().verify(DATA, sig));
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void aSignatureDoesNotVerifyWithAnotherKey(SignatureAlgorithm algorithm) {
        byte[] sig = TestKeys.fresh(algorithm).sign(DATA);
        assertFalse(TestKeys.fresh(algorithm).publicKey().verify(DATA, sig));
    }

    @Test
    void ecdsaSignatureIsRawRAndSNotDer() {
        byte[] sig = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256).sign(DATA);
        BigInteger r = new BigInteger(1, java.util.Arrays.copyOf(sig, 32));
        BigInteger n = VerificationKey.P256.getN();
        assertTrue(r.signum() > 0 && r.compareTo(n) < 0, "r in [1, n)");
    }

    /**
     * The origin signs with the low S of each ECDSA pair: (r, s) and (r, n - s) both verify, and
     * Bouncy Castle's signer returns either, about half of each. Before, 64 signatures were all
     * low with odds of 2^-64; now every one is, and verifies. Verifiers still accept both (see
     * ARCHITECTURE.md §4): earlier origins' signatures are high half the time.
     */
    @Test
    void ecdsaSignaturesAreLowS() {
        SigningKey key = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256);
        BigInteger half = VerificationKey.P256.getN().shiftRight(1);
        for (int i = 0; i < 64; i++) {
            byte[] data = ("signature base " + i).getBytes(StandardCharsets.US_ASCII);
            byte[] sig = key.sign(data);
            BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
            assertTrue(s.signum() > 0 && s.compareTo(half) <= 0, "s of signature " + i + " is high: " + s);
            assertTrue(key.publicKey().verify(data, sig));
        }
    }

    @Test
    void toStringRevealsNoKeyMaterial() {
        SigningKey key = SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE);
        assertFalse(key.toString().contains("MC4C"));
        assertTrue(key.toString().contains(key.keyId()));
    }

    @Test
    void aPublicKeyFileIsNotAPrivateKey() throws Exception {
        Path file = dir.resolve("public.pem");
        Files.writeString(file, TestKeys.RFC9421_ED25519_PUBLIC);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKey.readPem(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().endsWith("no 'PRIVATE KEY' block (found [PUBLIC KEY]: this is a public key;"
                + " give the private key, origin.key as rproxy keygen names it)"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("nope.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKey.readPem(file));
        assertTrue(e.getMessage().startsWith(file + ": cannot read key file"), e.getMessage());
    }

    @Test
    void garbageInsideThePemIsReported() {
        String pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKey.fromPem(pem));
        assertTrue(e.getMessage().startsWith("PEM text: not a valid PKCS#8 private key"), e.getMessage());
    }

    @Test
    void textWithoutPemIsReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKey.fromPem("hello"));
        assertEquals("PEM text: no 'PRIVATE KEY' block (no PEM block at all)", e.getMessage());
    }

    @Test
    void anSec1KeyGetsAConversionHint() {
        String pem = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKey.fromPem(pem));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
    }

    @Test
    void anRsaKeyIsRefused() throws Exception {
        RSAKeyPairGenerator gen = new RSAKeyPairGenerator();
        gen.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), new SecureRandom(), 512, 20));
        String pem = Pem.write("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(
                gen.generateKeyPair().getPrivate()).getEncoded());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKey.fromPem(pem));
        assertTrue(e.getMessage().contains("expected: an Ed25519 or EC P-256 private key"), e.getMessage());
    }

    @Test
    void anEcKeyOnAnotherCurveIsRefused() throws Exception {
        ECKeyPairGenerator gen = new ECKeyPairGenerator();
        gen.init(new ECKeyGenerationParameters(
                new ECDomainParameters(ECNamedCurveTable.getByName("P-384")), new SecureRandom()));
        AsymmetricCipherKeyPair pair = gen.generateKeyPair();
        String pem = Pem.write("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(pair.getPrivate()).getEncoded());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningKey.fromPem(pem));
        assertTrue(e.getMessage().contains("curve other than P-256"), e.getMessage());
    }
}

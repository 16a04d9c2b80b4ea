package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;

/**
 * The origin's private key: the only thing in the system that can sign. Only the origin holds
 * one (a PKCS#8 PEM file); proxies never do. Signing is deterministic for both algorithms
 * (Ed25519 by construction, ECDSA with RFC 6979 nonces), so no randomness is needed after key
 * generation. Immutable and thread-safe: every {@link #sign} uses its own signer object.
 * {@link #toString()} never reveals key material.
 */
public final class SigningKey {
    private static final int COORDINATE = 32;

    private final SignatureAlgorithm algorithm;
    private final AsymmetricKeyParameter key;
    private final VerificationKey publicKey;

    private SigningKey(SignatureAlgorithm algorithm, AsymmetricKeyParameter key, VerificationKey publicKey) {
        this.algorithm = algorithm;
        this.key = key;
        this.publicKey = publicKey;
    }

    /** A fresh key pair for {@code algorithm}. */
    public static SigningKey generate(SignatureAlgorithm algorithm, SecureRandom random) {
        requireNonNull(algorithm, "algorithm");
        requireNonNull(random, "random");
        if (algorithm == SignatureAlgorithm.ED25519) {
            return ed25519(new Ed25519PrivateKeyParameters(random));
        }
        ECKeyPairGenerator gen = new ECKeyPairGenerator();
        gen.init(new ECKeyGenerationParameters(VerificationKey.P256, random));
        AsymmetricCipherKeyPair pair = gen.generateKeyPair();
        return ecP256((ECPrivateKeyParameters) pair.getPrivate());
    }

    /**
     * Reads a PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) file holding an Ed25519 or P-256 key.
     *
     * @throws IllegalArgumentException naming the file and the reason when it cannot be read or used
     */
    public static SigningKey readPem(Path file) {
        requireNonNull(file, "file");
        return fromPem(Pem.readFile(file), file.toString());
    }

    /** Parses PKCS#8 PEM text; see {@link #readPem(Path)}. */
    public static SigningKey fromPem(String pem) {
        requireNonNull(pem, "pem");
        return fromPem(pem, "PEM text");
    }

    private static SigningKey fromPem(String pem, String source) {
        AsymmetricKeyParameter p = Pem.key(pem, "PRIVATE KEY", source, PrivateKeyFactory::createKey,
                "PKCS#8 private key");
        if (p instanceof Ed25519PrivateKeyParameters ed) {
            return ed25519(ed);
        }
        if (p instanceof ECPrivateKeyParameters ec) {
            if (!VerificationKey.isP256(ec.getParameters())) {
                throw new IllegalArgumentException(source + ": EC key on a curve other than P-256");
            }
            BigInteger d = ec.getD();
            if (d.signum() <= 0 || d.compareTo(VerificationKey.P256.getN()) >= 0) {
                throw new IllegalArgumentException(source + ": EC private scalar out of range");
            }
            return ecP256(new ECPrivateKeyParameters(d, VerificationKey.P256));
        }
        throw new IllegalArgumentException(source + ": " + p.getClass().getSimpleName()
                + " (expected: an Ed25519 or EC P-256 private key)");
    }

    private static SigningKey ed25519(Ed25519PrivateKeyParameters p) {
        return new SigningKey(SignatureAlgorithm.ED25519, p, VerificationKey.ed25519(p.generatePublicKey()));
    }

    private static SigningKey ecP256(ECPrivateKeyParameters p) {
        ECPublicKeyParameters pub = new ECPublicKeyParameters(
                new FixedPointCombMultiplier().multiply(VerificationKey.P256.getG(), p.getD()).normalize(),
                VerificationKey.P256);
        return new SigningKey(SignatureAlgorithm.ECDSA_P256_SHA256, p, VerificationKey.ecP256(pub));
    }

    /** PKCS#8 PEM, the form {@link #readPem} reads. Ed25519 keys are written as version 1 (RFC 8410 §7). */
    public String toPkcs8Pem() {
        try {
            PrivateKeyInfo info = key instanceof Ed25519PrivateKeyParameters ed
                    ? new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                            new DEROctetString(ed.getEncoded()))
                    : PrivateKeyInfoFactory.createPrivateKeyInfo(key);
            return Pem.write("PRIVATE KEY", info.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a valid private key", e);
        }
    }

    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    public VerificationKey publicKey() {
        return publicKey;
    }

    /** The {@code keyid} signatures made with this key carry. */
    public String keyId() {
        return publicKey.keyId();
    }

    /**
     * The signature over {@code data}: 64 bytes for both algorithms (for ECDSA the raw r||s of
     * RFC 9421 §3.3.4, not DER, with the low s of the pair).
     */
    public byte[] sign(byte[] data) {
        requireNonNull(data, "data");
        if (algorithm == SignatureAlgorithm.ED25519) {
            Ed25519Signer s = new Ed25519Signer();
            s.init(true, key);
            s.update(data, 0, data.length);
            return s.generateSignature();
        }
        ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        s.init(true, key);
        BigInteger[] rs = s.generateSignature(VerificationKey.sha256(data));
        byte[] out = new byte[2 * COORDINATE];
        BigIntegers.asUnsignedByteArray(rs[0], out, 0, COORDINATE);
        BigIntegers.asUnsignedByteArray(lowS(rs[1]), out, COORDINATE, COORDINATE);
        return out;
    }

    /**
     * {@code s} or {@code n - s}, whichever is at most n / 2: (r, s) and (r, n - s) both verify,
     * and the signer returns either. The origin sends the low one, so that each signing has one
     * encoding of its own; verifiers accept both (ARCHITECTURE.md §4), and never take a
     * different encoding for a different signing.
     */
    private static BigInteger lowS(BigInteger s) {
        BigInteger n = VerificationKey.P256.getN();
        return s.compareTo(n.shiftRight(1)) > 0 ? n.subtract(s) : s;
    }

    @Override
    public String toString() {
        return "SigningKey[" + algorithm.token() + ", keyid=" + keyId() + "]";
    }
}

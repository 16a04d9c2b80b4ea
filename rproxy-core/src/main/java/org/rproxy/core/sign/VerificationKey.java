package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

import org.rproxy.core.model.Jwk;

/**
 * An origin public key: what proxies and clients are configured with (an SPKI PEM file) or learn
 * from the origin's directory (a JWK), and what {@link ResponseVerifier} checks signatures with.
 * Its {@link #keyId()} is the RFC 7638 JWK thumbprint, which the origin puts in the signature's
 * {@code keyid} parameter. Immutable and thread-safe; equal when algorithm and key are equal.
 */
public final class VerificationKey {
    static final ECNamedDomainParameters P256 =
            new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, ECNamedCurveTable.getByName("P-256"));

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final int COORDINATE = 32;
    private static final int SIGNATURE = 64;

    private final SignatureAlgorithm algorithm;
    private final AsymmetricKeyParameter key;
    private final byte[] raw;
    private final Jwk jwk;

    private VerificationKey(SignatureAlgorithm algorithm, AsymmetricKeyParameter key, byte[] raw, Jwk jwk) {
        this.algorithm = algorithm;
        this.key = key;
        this.raw = raw;
        this.jwk = jwk;
    }

    /** Reads an SPKI PEM ({@code -----BEGIN PUBLIC KEY-----}) file. */
    public static VerificationKey readPem(Path file) {
        requireNonNull(file, "file");
        return fromPem(Pem.readFile(file), file.toString());
    }

    /** Parses SPKI PEM text. */
    public static VerificationKey fromPem(String pem) {
        requireNonNull(pem, "pem");
        return fromPem(pem, "PEM text");
    }

    private static VerificationKey fromPem(String pem, String source) {
        return of(Pem.key(pem, "PUBLIC KEY", source, PublicKeyFactory::createKey, "SubjectPublicKeyInfo"), source);
    }

    /** The key described by {@code jwk}, which must be an Ed25519 or P-256 key whose kid is its thumbprint. */
    public static VerificationKey fromJwk(Jwk jwk) {
        requireNonNull(jwk, "jwk");
        VerificationKey k;
        try {
            if ("OKP".equals(jwk.kty()) && "Ed25519".equals(jwk.crv())) {
                k = ed25519(new Ed25519PublicKeyParameters(decodeCoordinate(jwk.x(), "x")));
            } else if ("EC".equals(jwk.kty()) && "P-256".equals(jwk.crv())) {
                BigInteger x = new BigInteger(1, decodeCoordinate(jwk.x(), "x"));
                BigInteger y = new BigInteger(1, decodeCoordinate(jwk.y(), "y"));
                k = ecP256(new ECPublicKeyParameters(P256.getCurve().createPoint(x, y), P256));
            } else {
                throw new IllegalArgumentException("kty/crv: " + jwk.kty() + "/" + jwk.crv()
                        + " (expected: OKP/Ed25519 or EC/P-256)");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jwk " + jwk.kid() + ": " + e.getMessage(), e);
        }
        if (!k.keyId().equals(jwk.kid())) {
            throw new IllegalArgumentException("jwk kid: " + jwk.kid() + " (expected: the RFC 7638 thumbprint "
                    + k.keyId() + ")");
        }
        if (!k.algorithm.token().equals(jwk.alg())) {
            throw new IllegalArgumentException("jwk alg: " + jwk.alg() + " (expected: " + k.algorithm.token() + ")");
        }
        return k;
    }

    static VerificationKey of(AsymmetricKeyParameter p, String source) {
        if (p instanceof Ed25519PublicKeyParameters ed) {
            return ed25519(ed);
        }
        if (p instanceof ECPublicKeyParameters ec) {
            if (!isP256(ec.getParameters())) {
                throw new IllegalArgumentException(source + ": EC key on a curve other than P-256");
            }
            return ecP256(new ECPublicKeyParameters(ec.getQ(), P256));
        }
        throw new IllegalArgumentException(source + ": " + p.getClass().getSimpleName()
                + " (expected: an Ed25519 or EC P-256 key)");
    }

    static boolean isP256(ECDomainParameters d) {
        return d.getCurve().equals(P256.getCurve()) && d.getG().equals(P256.getG()) && d.getN().equals(P256.getN());
    }

    static VerificationKey ed25519(Ed25519PublicKeyParameters p) {
        byte[] raw = p.getEncoded();
        String x = B64URL.encodeToString(raw);
        String kid = thumbprint("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x + "\"}");
        Jwk jwk = new Jwk("OKP", "Ed25519", x, null, kid, SignatureAlgorithm.ED25519.token());
        return new VerificationKey(SignatureAlgorithm.ED25519, p, raw, jwk);
    }

    static VerificationKey ecP256(ECPublicKeyParameters p) {
        ECPoint q = p.getQ().normalize();
        String x = B64URL.encodeToString(BigIntegers.asUnsignedByteArray(COORDINATE, q.getAffineXCoord().toBigInteger()));
        String y = B64URL.encodeToString(BigIntegers.asUnsignedByteArray(COORDINATE, q.getAffineYCoord().toBigInteger()));
        String kid = thumbprint("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}");
        Jwk jwk = new Jwk("EC", "P-256", x, y, kid, SignatureAlgorithm.ECDSA_P256_SHA256.token());
        return new VerificationKey(SignatureAlgorithm.ECDSA_P256_SHA256, p, q.getEncoded(false), jwk);
    }

    /** RFC 7638 §3: base64url(SHA-256(the required members, sorted, no whitespace)). */
    private static String thumbprint(String canonicalJwk) {
        return B64URL.encodeToString(ContentDigest.sha256Raw(canonicalJwk.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] decodeCoordinate(String b64url, String name) {
        if (b64url == null) {
            throw new IllegalArgumentException(name + ": missing");
        }
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(b64url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": not base64url");
        }
        if (b.length != COORDINATE) {
            throw new IllegalArgumentException(name + ": " + b.length + " bytes (expected: " + COORDINATE + ")");
        }
        return b;
    }

    /** SPKI PEM ({@code -----BEGIN PUBLIC KEY-----}), the form {@link #readPem} reads. */
    public String toSpkiPem() {
        try {
            return Pem.write("PUBLIC KEY", SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a valid public key", e);
        }
    }

    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    /** The key as a JWK, {@code kid} = {@link #keyId()}, {@code alg} = the RFC 9421 token. */
    public Jwk jwk() {
        return jwk;
    }

    /** The RFC 7638 JWK thumbprint (base64url, SHA-256): the signature's {@code keyid}. */
    public String keyId() {
        return jwk.kid();
    }

    /**
     * True when {@code signature} is this key's signature over {@code data}. Never throws on a
     * signature of the wrong length or with out-of-range values: that is simply false.
     */
    public boolean verify(byte[] data, byte[] signature) {
        requireNonNull(data, "data");
        requireNonNull(signature, "signature");
        if (signature.length != SIGNATURE) {
            return false;
        }
        if (algorithm == SignatureAlgorithm.ED25519) {
            Ed25519Signer v = new Ed25519Signer();
            v.init(false, key);
            v.update(data, 0, data.length);
            return v.verifySignature(signature);
        }
        ECDSASigner v = new ECDSASigner();
        v.init(false, key);
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, COORDINATE));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, COORDINATE, SIGNATURE));
        return v.verifySignature(sha256(data), r, s);
    }

    /**
     * Why a signature of {@code length} bytes cannot be this key's, or null when its length is
     * right: both algorithms sign with 64 bytes, ECDSA as r||s (RFC 9421 §3.3.4), not DER.
     */
    String shapeProblem(int length) {
        if (length == SIGNATURE) {
            return null;
        }
        return "signature is " + length + " bytes (expected: " + SIGNATURE + " for " + algorithm.token()
                + (algorithm == SignatureAlgorithm.ED25519 ? ", RFC 8032)" : ", r||s as RFC 9421 §3.3.4 says, not DER)");
    }

    static byte[] sha256(byte[] data) {
        SHA256Digest d = new SHA256Digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerificationKey k && algorithm == k.algorithm && Arrays.equals(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.ordinal() + Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "VerificationKey[" + algorithm.token() + ", keyid=" + keyId() + "]";
    }
}

package org.rproxy.core.sign;

import java.util.Optional;

/**
 * The signature algorithms an origin may sign with, named as in the RFC 9421 §6.2 registry
 * (the {@code alg} parameter) and described as JWKs (RFC 8037 for OKP, RFC 7518 §6.2 for EC).
 */
public enum SignatureAlgorithm {
    /** EdDSA over Curve25519 (RFC 9421 §3.3.6); the one every deployment must support. */
    ED25519("ed25519", "OKP", "Ed25519"),
    /** ECDSA on P-256 with SHA-256, signature as r||s (RFC 9421 §3.3.4). */
    ECDSA_P256_SHA256("ecdsa-p256-sha256", "EC", "P-256");

    private final String token;
    private final String kty;
    private final String crv;

    SignatureAlgorithm(String token, String kty, String crv) {
        this.token = token;
        this.kty = kty;
        this.crv = crv;
    }

    /** The RFC 9421 {@code alg} parameter value. */
    public String token() {
        return token;
    }

    /** The JWK {@code kty}. */
    public String keyType() {
        return kty;
    }

    /** The JWK {@code crv}. */
    public String curve() {
        return crv;
    }

    /** The algorithm whose {@code alg} token is {@code token}, if any. */
    public static Optional<SignatureAlgorithm> fromToken(String token) {
        for (SignatureAlgorithm a : values()) {
            if (a.token.equals(token)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}

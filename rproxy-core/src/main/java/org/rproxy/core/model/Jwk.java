package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A public key as a JSON Web Key (RFC 7517; OKP keys per RFC 8037, EC keys per RFC 7518 §6.2).
 *
 * @param kty {@code OKP} or {@code EC}
 * @param crv {@code Ed25519} or {@code P-256}
 * @param x   base64url public key (OKP) or x coordinate (EC)
 * @param y   base64url y coordinate (EC only), else null
 * @param kid the RFC 7638 thumbprint, which is also the signature's {@code keyid}
 * @param alg the RFC 9421 algorithm name: {@code ed25519} or {@code ecdsa-p256-sha256}
 */
public record Jwk(String kty, String crv, String x, String y, String kid, String alg) {
    public Jwk {
        requireNonNull(kty, "kty");
        requireNonNull(crv, "crv");
        requireNonNull(x, "x");
        requireNonNull(kid, "kid");
        requireNonNull(alg, "alg");
        if ("EC".equals(kty) && y == null) {
            throw new IllegalArgumentException("y: null (expected for an EC key)");
        }
    }
}

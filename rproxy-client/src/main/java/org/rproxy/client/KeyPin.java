package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.rproxy.core.model.Directory;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.sign.VerificationKey;

/**
 * The one thing a client must be given out of band: the origin's key, as its public key (a PEM
 * file) or only its key id (the RFC 7638 JWK thumbprint, which is the {@code keyid} of every
 * signature). With a key id alone, the key itself is taken from the directory's
 * {@code meta.alto-redist.keys}, and only when its thumbprint is that id; the directory's own
 * signature must then verify with it, so a directory signed by any other key is refused.
 * Immutable.
 */
public final class KeyPin {
    private static final Pattern THUMBPRINT = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final VerificationKey key;
    private final String keyId;

    private KeyPin(VerificationKey key, String keyId) {
        this.key = key;
        this.keyId = keyId;
    }

    /** Pins the public key in an SPKI PEM file ({@code rproxy keygen}'s {@code origin.pub}). */
    public static KeyPin ofPem(Path file) {
        VerificationKey k = VerificationKey.readPem(requireNonNull(file, "file"));
        return new KeyPin(k, k.keyId());
    }

    /** Pins the key whose RFC 7638 thumbprint (base64url SHA-256, 43 characters) is {@code keyId}. */
    public static KeyPin ofKeyId(String keyId) {
        requireNonNull(keyId, "keyId");
        if (!THUMBPRINT.matcher(keyId).matches()) {
            throw new IllegalArgumentException("keyId: " + keyId
                    + " (expected: an RFC 7638 thumbprint, 43 base64url characters)");
        }
        return new KeyPin(null, keyId);
    }

    /** The pinned key id. */
    public String keyId() {
        return keyId;
    }

    /**
     * The pinned key: the one given, or the key of the directory whose thumbprint is the pinned id.
     *
     * @return null when pinned by id and the directory lists no usable key with that thumbprint
     */
    VerificationKey resolve(Directory unverified) {
        if (key != null) {
            return key;
        }
        for (Jwk jwk : unverified.keys()) {
            if (keyId.equals(jwk.kid())) {
                try {
                    // fromJwk recomputes the thumbprint: a kid that is not the key's own is refused.
                    return VerificationKey.fromJwk(jwk);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "KeyPin[" + keyId + (key == null ? ", by id" : ", by key") + "]";
    }
}

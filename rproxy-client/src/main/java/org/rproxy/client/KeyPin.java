package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.rproxy.core.model.Directory;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.sign.VerificationKey;

/**
 * The one thing a client must be given out of band: the origin's key, as its public key (a PEM
 * file) or only its key id (the RFC 7638 JWK thumbprint, which is the {@code keyid} of every
 * signature); or several of them ({@link #anyOf}), so that a client shipped during a key
 * rotation accepts the current key and the next. With a key id alone, the key itself is taken
 * from the directory's {@code meta.alto-redist.keys}, and only when its thumbprint is that id;
 * the directory's own signature must then verify with a pinned key, so a directory signed by any
 * other key is refused. Immutable.
 */
public final class KeyPin {
    private static final Pattern THUMBPRINT = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** Key id to the pinned key, or to null when pinned by id alone; in the order given. */
    private final Map<String, VerificationKey> pinned;

    private KeyPin(Map<String, VerificationKey> pinned) {
        this.pinned = pinned;
    }

    /**
     * Pins the public key in an SPKI PEM file ({@code rproxy keygen}'s {@code origin.pub}).
     *
     * @param file the PEM file
     * @return the pin of that key
     * @throws IllegalArgumentException naming the file, for one that cannot be read or holds no
     *                                  {@code PUBLIC KEY} block (the origin's private key file among them:
     *                                  an application pins the public key, or its key id, and never
     *                                  holds the private key)
     */
    public static KeyPin ofPem(Path file) {
        VerificationKey k = VerificationKey.readPem(requireNonNull(file, "file"));
        Map<String, VerificationKey> m = new LinkedHashMap<>();
        m.put(k.keyId(), k);
        return new KeyPin(m);
    }

    /**
     * Pins the key whose RFC 7638 thumbprint (base64url SHA-256, 43 characters) is {@code keyId}.
     *
     * @param keyId the key's thumbprint, as {@code rproxy keygen} prints it
     * @return the pin of that key id
     * @throws IllegalArgumentException for a key id that is no such thumbprint
     */
    public static KeyPin ofKeyId(String keyId) {
        requireNonNull(keyId, "keyId");
        if (!THUMBPRINT.matcher(keyId).matches()) {
            throw new IllegalArgumentException("keyId: " + keyId
                    + " (expected: an RFC 7638 thumbprint, 43 base64url characters)");
        }
        Map<String, VerificationKey> m = new LinkedHashMap<>();
        m.put(keyId, null);
        return new KeyPin(m);
    }

    /**
     * Pins every key of {@code pins}: a directory signed by any of them is taken.
     *
     * @param pins the pins to join, at least one
     * @return one pin of all their keys
     * @throws IllegalArgumentException for no pins
     */
    public static KeyPin anyOf(List<KeyPin> pins) {
        requireNonNull(pins, "pins");
        if (pins.isEmpty()) {
            throw new IllegalArgumentException("pins: empty (expected: at least one key or key id)");
        }
        Map<String, VerificationKey> m = new LinkedHashMap<>();
        for (KeyPin p : pins) {
            p.pinned.forEach((id, key) -> {
                if (m.get(id) == null) {
                    m.put(id, key);
                }
            });
        }
        return new KeyPin(m);
    }

    /** {@return the first pinned key id} */
    public String keyId() {
        return pinned.keySet().iterator().next();
    }

    /** {@return every pinned key id, in the order given} */
    public List<String> keyIds() {
        return List.copyOf(pinned.keySet());
    }

    /**
     * The pinned keys: those given, and for each id pinned alone the key of the directory whose
     * thumbprint is that id; empty when none can be had.
     */
    List<VerificationKey> resolve(Directory unverified) {
        List<VerificationKey> out = new ArrayList<>();
        pinned.forEach((id, key) -> {
            VerificationKey k = key != null ? key : listed(unverified, id);
            if (k != null) {
                out.add(k);
            }
        });
        return out;
    }

    private static VerificationKey listed(Directory unverified, String keyId) {
        // a directory lists each kid once (Directory refuses a key set naming one twice, as the
        // client, the proxies and the overlay read it), so the key found is the only candidate
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
        StringBuilder b = new StringBuilder("KeyPin[");
        pinned.forEach((id, key) -> b.append(b.length() > 7 ? ", " : "").append(id).append(key == null ? " by id" : " by key"));
        return b.append(']').toString();
    }
}

package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.ConfigText;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.VerificationKey;

/**
 * The keys an origin holds: the one it signs with and every key it publishes in its directory
 * and capability (the signing key first, then the next key being introduced, or an old one
 * still listed until its last signatures expire). Read from the {@code --key} file, which is
 * either one PKCS#8 PEM private key (it signs and is the only key published) or a keys file:
 *
 * <pre>
 * keys:
 *   - file: keys/origin-2026.key    # PKCS#8 private key
 *     signing: true                 # exactly one entry signs
 *   - file: keys/origin-2027.key    # the next key: published, not yet signing
 *   - file: keys/origin-2025.pub    # a retiring key: its SPKI public key is enough
 * </pre>
 *
 * Relative paths are relative to the working directory. Immutable; public so that
 * {@code rproxy check} reads a keys file exactly as the origin does.
 *
 * @param signing   the key every document is signed with
 * @param published the public keys published, the signing key's first, no key twice
 */
public record OriginKeys(SigningKey signing, List<VerificationKey> published) {

    public OriginKeys {
        requireNonNull(signing, "signing");
        published = List.copyOf(published);
        if (published.isEmpty() || !published.get(0).equals(signing.publicKey())) {
            throw new IllegalArgumentException("published: the signing key must come first");
        }
    }

    /** One key that signs and is published alone. */
    static OriginKeys of(SigningKey key) {
        return new OriginKeys(key, List.of(key.publicKey()));
    }

    /**
     * Reads {@code file}: a PEM private key or a keys file, as the origin does at start and at
     * each poll ({@code rproxy check --key} too).
     *
     * @throws ConfigException naming the file, the entry and the reason
     */
    public static OriginKeys read(Path file) {
        requireNonNull(file, "file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + IoProblems.reason(e), e);
        }
        return read(file, bytes);
    }

    /**
     * As {@link #read(Path)}, from {@code bytes} read from {@code file} already (the files a keys
     * file lists, or a PEM key, are read now): the keys file's poll reads what it saw stay unchanged.
     */
    static OriginKeys read(Path file, byte[] bytes) {
        String text = ConfigText.decode(file, bytes);
        if (text.stripLeading().startsWith("-----BEGIN")) {
            try {
                return of(SigningKey.readPem(file));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e); // it names the file
            }
        }
        return fromList(file, new ConfigLoader().read(text, file.toString(), KeysFile.class));
    }

    private static OriginKeys fromList(Path file, KeysFile list) {
        SigningKey signing = null;
        Map<String, VerificationKey> published = new LinkedHashMap<>();
        List<VerificationKey> others = new ArrayList<>();
        for (int i = 0; i < list.keys().size(); i++) {
            KeysFile.Entry e = list.keys().get(i);
            String where = file + ": keys[" + i + "].file: " + e.file();
            try {
                String pem = Files.readString(e.file());
                if (pem.contains("-----BEGIN PUBLIC KEY-----")) {
                    if (e.signs()) {
                        throw new ConfigException(where + ": a public key cannot sign (expected: the PKCS#8 private key)");
                    }
                    others.add(VerificationKey.fromPem(pem));
                } else if (e.signs()) {
                    signing = SigningKey.fromPem(pem);
                } else {
                    others.add(SigningKey.fromPem(pem).publicKey());
                }
            } catch (IOException ex) {
                throw new ConfigException(where + ": cannot read: " + IoProblems.reason(ex), ex);
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(where + ": " + ex.getMessage(), ex);
            }
        }
        published.put(signing.publicKey().keyId(), signing.publicKey());
        for (VerificationKey k : others) {
            if (published.putIfAbsent(k.keyId(), k) != null) {
                throw new ConfigException(file + ": keys: key " + k.keyId() + " is listed twice");
            }
        }
        return new OriginKeys(signing, new ArrayList<>(published.values()));
    }

    /** The key ids published, the signing key's first. */
    public List<String> keyIds() {
        return published.stream().map(VerificationKey::keyId).toList();
    }

    /** The published keys as JWKs, for the directory and the capability. */
    List<Jwk> jwks() {
        return published.stream().map(VerificationKey::jwk).toList();
    }

    /** True when {@code other} signs with the same key and publishes the same keys, in the same order. */
    boolean sameAs(OriginKeys other) {
        return signing.publicKey().equals(other.signing.publicKey()) && published.equals(other.published);
    }

    @Override
    public String toString() {
        return "OriginKeys[signing " + signing.publicKey().keyId() + ", published "
                + published.stream().map(VerificationKey::keyId).toList() + "]";
    }
}

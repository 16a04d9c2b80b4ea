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
 * Relative paths are relative to the working directory. Every private key listed signs the
 * directory too ({@link #directorySigners}), so that a node which knows only the next key, or
 * only the one before, still verifies it and learns the rest (ARCHITECTURE.md §4). Immutable;
 * public so that {@code rproxy check} reads a keys file exactly as the origin does.
 *
 * @param signing   the key every document is signed with
 * @param published the public keys published, the signing key's first, no key twice
 * @param alsoSign  the other published keys whose private key the file holds, in its order: they
 *                  sign the directory beside {@code signing}
 */
public record OriginKeys(SigningKey signing, List<VerificationKey> published, List<SigningKey> alsoSign) {

    public OriginKeys {
        requireNonNull(signing, "signing");
        published = List.copyOf(published);
        alsoSign = List.copyOf(alsoSign);
        if (published.isEmpty() || !published.get(0).equals(signing.publicKey())) {
            throw new IllegalArgumentException("published: the signing key must come first");
        }
        for (SigningKey k : alsoSign) {
            if (k.publicKey().equals(signing.publicKey()) || !published.contains(k.publicKey())) {
                throw new IllegalArgumentException("alsoSign: " + k.keyId() + " is the signing key or not published");
            }
        }
    }

    /** Keys that sign and publish as given; none signs the directory beside {@code signing}. */
    public OriginKeys(SigningKey signing, List<VerificationKey> published) {
        this(signing, published, List.of());
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
        List<SigningKey> alsoSign = new ArrayList<>();
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
                    SigningKey k = SigningKey.fromPem(pem);
                    others.add(k.publicKey());
                    alsoSign.add(k);
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
        return new OriginKeys(signing, new ArrayList<>(published.values()), alsoSign);
    }

    /** What signs the directory: the signing key first (its {@code alto} signature), then each of {@link #alsoSign}. */
    List<SigningKey> directorySigners() {
        List<SigningKey> all = new ArrayList<>(1 + alsoSign.size());
        all.add(signing);
        all.addAll(alsoSign);
        return all;
    }

    /** The key ids published, the signing key's first. */
    public List<String> keyIds() {
        return published.stream().map(VerificationKey::keyId).toList();
    }

    /** The published keys as JWKs, for the directory and the capability. */
    List<Jwk> jwks() {
        return published.stream().map(VerificationKey::jwk).toList();
    }

    /**
     * True when {@code other} signs with the same key, publishes the same keys in the same order,
     * and signs the directory with the same ones (a key's public half replaced by its private one
     * is a change: the directory is signed with it from then on).
     */
    boolean sameAs(OriginKeys other) {
        return signing.publicKey().equals(other.signing.publicKey()) && published.equals(other.published)
                && ids(alsoSign).equals(ids(other.alsoSign));
    }

    private static List<String> ids(List<SigningKey> keys) {
        return keys.stream().map(SigningKey::keyId).toList();
    }

    @Override
    public String toString() {
        return "OriginKeys[signing " + signing.publicKey().keyId() + ", published "
                + published.stream().map(VerificationKey::keyId).toList() + "]";
    }
}

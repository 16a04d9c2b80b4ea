package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import net.i2p.crypto.eddsa.EdDSAPrivateKey;
import net.i2p.crypto.eddsa.spec.EdDSAPrivateKeySpec;

import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;

import lbms.plugins.mldht.kad.GenericStorage;

/**
 * A publisher's own Ed25519 key for its BEP 44 pointers: it says only "this is that proxy's
 * pointer", never that a document is genuine (the origin's signature inside the bundle says
 * that). Read from a PKCS#8 PEM file, the form {@code rproxy keygen} writes. Immutable.
 */
final class DhtKey {
    private final EdDSAPrivateKey key;

    private DhtKey(byte[] seed) {
        this.key = new EdDSAPrivateKey(new EdDSAPrivateKeySpec(seed, GenericStorage.StorageItem.spec));
    }

    /** From a 32-byte Ed25519 seed (RFC 8032 private key). */
    static DhtKey ofSeed(byte[] seed) {
        requireNonNull(seed, "seed");
        if (seed.length != 32) {
            throw new IllegalArgumentException("seed: " + seed.length + " bytes (expected: 32)");
        }
        return new DhtKey(seed.clone());
    }

    /**
     * Reads a PKCS#8 PEM Ed25519 private key.
     *
     * @throws IllegalArgumentException naming the file and the reason
     */
    static DhtKey read(Path file) {
        requireNonNull(file, "file");
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(file + ": no PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        String b64 = pem.substring(begin + 27, end).replaceAll("\\s", "");
        AsymmetricKeyParameter p;
        try {
            p = PrivateKeyFactory.createKey(Base64.getDecoder().decode(b64));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a valid PKCS#8 private key (" + e.getMessage() + ")", e);
        }
        if (!(p instanceof Ed25519PrivateKeyParameters ed)) {
            throw new IllegalArgumentException(file + ": " + p.getClass().getSimpleName()
                    + " (expected: an Ed25519 private key; BEP 44 signs with Ed25519)");
        }
        return new DhtKey(ed.getEncoded());
    }

    EdDSAPrivateKey privateKey() {
        return key;
    }

    /** The 32-byte public key, as BEP 44 items carry it and the origin's directory lists it. */
    byte[] publicKey() {
        return key.getAbyte().clone();
    }
}

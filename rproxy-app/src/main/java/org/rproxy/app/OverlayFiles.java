package org.rproxy.app;

import java.nio.file.Files;
import java.nio.file.Path;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.overlay.OverlayConfig;

/**
 * Reads {@code proxy --overlay FILE} and checks what the overlay publisher would meet at start:
 * its key (an Ed25519 PKCS#8 private key that other users may not read, {@link PrivateKeyFiles})
 * and its storage folder (one that exists or can be made,
 * writable), each refused with the file, the key and the reason ({@code ov.yaml: storage: ...}),
 * as {@code conf/overlay.yaml} promises. Stateless.
 */
final class OverlayFiles {

    private OverlayFiles() {
    }

    /** The settings of {@code file}, null when it is null. */
    static OverlayConfig load(Path file) {
        if (file == null) {
            return null;
        }
        OverlayConfig c = new ConfigLoader().load(file, OverlayConfig.class);
        if (c.key() == null) {
            throw new ConfigException(file + ": key: missing (a publisher signs its pointers with its own Ed25519 key)");
        }
        try {
            if (SigningKey.readPem(c.key()).algorithm() != SignatureAlgorithm.ED25519) {
                throw new ConfigException(file + ": key: " + c.key()
                        + ": not an Ed25519 key (expected: `rproxy keygen --alg ed25519`; BEP 44 signs with Ed25519)");
            }
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ConfigException(file + ": key: " + ProxyFiles.named(c.key(), Main.message(e)), e);
        }
        try {
            PrivateKeyFiles.checked(c.key(), "key");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
        Path storage = c.storage().toAbsolutePath();
        Path existing = storage;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new ConfigException(file + ": storage: " + c.storage() + (existing == storage
                    ? " is not a writable folder" : ": cannot be made (" + existing + " is not a writable folder)"));
        }
        return c;
    }

    /**
     * Checks that the overlay's ports of {@code c}, read from {@code file}, can be bound now (not
     * in {@code rproxy check}, which may run beside the node that holds them).
     *
     * @throws ConfigException {@code "ov.yaml: dht-port: cannot listen on HOST:PORT (UDP): address already in use"}
     */
    static void probe(Path file, OverlayConfig c) {
        if (c == null) {
            return;
        }
        try {
            c.probePorts();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }
}

package org.rproxy.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
 * as {@code conf/overlay.yaml} promises; every problem found, not only the first, as
 * {@code rproxy check} lists them. Stateless.
 */
final class OverlayFiles {

    private OverlayFiles() {
    }

    /**
     * The settings of {@code file}, null when it is null.
     *
     * @throws ConfigException every problem of the file, one a line: its keys', else its key's and storage's
     */
    static OverlayConfig load(Path file) {
        if (file == null) {
            return null;
        }
        OverlayConfig c = new ConfigLoader().load(file, OverlayConfig.class);
        List<String> problems = problems(file, c);
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
        return c;
    }

    /**
     * For {@code rproxy check}: every problem of {@code file} added to {@code problems} (each
     * key's, as {@link ConfigLoader#check} finds them; once they bind, the key's and the
     * storage's), and its settings, or null when it has any.
     */
    static OverlayConfig check(Path file, List<String> problems) {
        List<String> found = new ConfigLoader().check(file, OverlayConfig.class);
        if (found.isEmpty()) {
            OverlayConfig c = new ConfigLoader().load(file, OverlayConfig.class);
            found = problems(file, c);
            if (found.isEmpty()) {
                return c;
            }
        }
        problems.addAll(found);
        return null;
    }

    /** The problems of the files {@code c} names: its key (missing, unreadable, not Ed25519, others may read it), its storage. */
    private static List<String> problems(Path file, OverlayConfig c) {
        List<String> problems = new ArrayList<>();
        if (c.key() == null) {
            problems.add(file + ": key: missing (a publisher signs its pointers with its own Ed25519 key)");
        } else {
            String keyProblem = null;
            try {
                if (SigningKey.readPem(c.key()).algorithm() != SignatureAlgorithm.ED25519) {
                    keyProblem = file + ": key: " + c.key()
                            + ": not an Ed25519 key (expected: `rproxy keygen --alg ed25519`; BEP 44 signs with Ed25519)";
                }
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                keyProblem = file + ": key: " + ProxyFiles.named(c.key(), Main.message(e));
            }
            if (keyProblem == null) {
                try {
                    PrivateKeyFiles.checked(c.key(), "key");
                } catch (IllegalArgumentException e) {
                    keyProblem = file + ": " + e.getMessage();
                }
            }
            if (keyProblem != null) {
                problems.add(keyProblem);
            }
        }
        Path storage = c.storage().toAbsolutePath();
        Path existing = storage;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            problems.add(file + ": storage: " + c.storage() + (existing == storage
                    ? " is not a writable folder" : ": cannot be made (" + existing + " is not a writable folder)"));
        }
        return problems;
    }

    /**
     * Checks that the overlay's ports of {@code c}, read from {@code file}, can be bound now (not
     * in {@code rproxy check}, which may run beside the node that holds them).
     *
     * @throws NotNow {@code "ov.yaml: dht-port: cannot listen on HOST:PORT (UDP): address already in use"}
     *                ({@link Listeners#failure}); for {@code permission denied (a port below 1024 ...)}, a
     *                {@code ConfigException} (exit status 2), as for the proxy's own listeners
     */
    static void probe(Path file, OverlayConfig c) {
        if (c == null) {
            return;
        }
        try {
            c.probePorts();
        } catch (IllegalArgumentException e) {
            // the reason in the listeners' words, so that a port the node may not bind is judged as theirs (exit 2)
            String m = e.getMessage();
            int reason = m.indexOf("): ");
            throw Listeners.failure(file + ": " + (reason < 0 || e.getCause() == null ? m
                    : m.substring(0, reason + 3) + Listeners.reason(e.getCause())), e);
        }
    }
}

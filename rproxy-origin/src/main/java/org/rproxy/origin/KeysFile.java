package org.rproxy.origin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.rproxy.core.config.ConfigChecks;

/**
 * The form of an origin's keys file (see {@link OriginKeys}), as {@code ConfigLoader} binds it;
 * the compact constructors refuse a list without exactly one signing key, or a file that
 * cannot be read, naming the entry.
 *
 * @param keys the keys, in the order they are published after the signing one
 */
record KeysFile(List<Entry> keys) {

    KeysFile {
        keys = ConfigChecks.entries(keys, "keys");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("keys: missing (expected: a list of {file, signing})");
        }
        long signing = keys.stream().filter(Entry::signs).count();
        if (signing != 1) {
            throw new IllegalArgumentException("keys: " + signing + " entries with signing: true (expected: exactly 1)");
        }
    }

    /**
     * @param file    a PKCS#8 private key (PEM), or for a key that only stays published its SPKI public key
     * @param signing true for the one key that signs (default false)
     */
    record Entry(Path file, Boolean signing) {
        Entry {
            if (file == null) {
                throw new IllegalArgumentException("file: missing");
            }
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("file: " + file + " is not a readable file");
            }
        }

        boolean signs() {
            return Boolean.TRUE.equals(signing);
        }
    }
}

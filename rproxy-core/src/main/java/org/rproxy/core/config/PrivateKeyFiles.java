package org.rproxy.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Whether a private key file is kept private, as {@code ssh} asks of its keys: one that other
 * users may read (or that its group or others may write) is refused, with its path, its mode and
 * the fix. One its group may read is let through with a warning: systemd hands a service its
 * {@code LoadCredential=} copy mode 0400, but where it grants the service's user access through
 * an ACL the file's group bits show the ACL's mask ({@code 0440}). Files on a file system without
 * POSIX permissions are not judged. The rule holds for every private key file the product reads:
 * the origin's signing keys, the TLS server keys ({@code Tls.server}) and the overlay's DHT key.
 * Stateless.
 */
public final class PrivateKeyFiles {

    private PrivateKeyFiles() {
    }

    /**
     * Writes {@code pem} to {@code file} readable and writable by its owner only (mode 0600, where
     * the file system has POSIX permissions), as {@link #problem} asks of a private key; for tools
     * and tests that make keys (the harness's labs), as {@code rproxy keygen} does.
     */
    public static Path write(Path file, String pem) throws IOException {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            // no POSIX permissions here: nothing to restrict
        }
        return Files.writeString(file, pem);
    }

    /** Why {@code file} may not be used as a private key, or null when its mode is private enough. */
    public static String problem(Path file) {
        Set<PosixFilePermission> p = permissions(file);
        if (p == null) {
            return null;
        }
        boolean others = p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE);
        if (!others && !p.contains(PosixFilePermission.GROUP_WRITE)) {
            return null;
        }
        return file + ": mode " + mode(p) + " lets " + (others ? "other users" : "its group")
                + " read or change this private key (expected: only its owner; chmod 600 " + file + ")";
    }

    /**
     * {@code file}, or a failure {@code "KEY: }{@link #problem}{@code "} when it is not kept
     * private: the check of a setting that names a private key ({@code tls.key}, the overlay's
     * {@code key}), so that it is refused at start and by {@code rproxy check} with the key that
     * names it, as the origin's key is.
     *
     * @param key the setting that names the file, e.g. {@code key}
     */
    public static Path checked(Path file, String key) {
        String problem = problem(file);
        if (problem != null) {
            throw new IllegalArgumentException(key + ": " + problem);
        }
        return file;
    }

    /** A warning for a private key its group may read, or null. */
    public static String warning(Path file) {
        Set<PosixFilePermission> p = permissions(file);
        if (p == null || !p.contains(PosixFilePermission.GROUP_READ)) {
            return null;
        }
        return file + ": mode " + mode(p) + " lets its group read this private key (chmod 600 " + file
                + " unless the group must read it)";
    }

    private static Set<PosixFilePermission> permissions(Path file) {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return null; // not POSIX, or unreadable: the reader says what is wrong
        }
    }

    /** {@code 0644}. */
    static String mode(Set<PosixFilePermission> p) {
        int m = 0;
        for (PosixFilePermission x : p) {
            m |= 1 << (8 - x.ordinal());
        }
        return String.format("0%03o", m);
    }
}

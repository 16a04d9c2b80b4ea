package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.PrivateKeyFiles;

/**
 * Whether the private key files an origin's {@code --key} names are kept private
 * ({@link PrivateKeyFiles}): the file itself when it is a PEM key, else the entries of the keys
 * file that hold a private key (a keys file holds no secret itself, nor does a public key it
 * lists). One judgement for {@code rproxy check}, {@code rproxy origin} at start, and the keys
 * file's poll while the origin runs ({@link KeysReload}), so a key added later is held to what
 * a key given at start is. Files that cannot be read are left to {@link OriginKeys#read}, which
 * names them. Stateless.
 */
public final class KeyFileModes {

    private KeyFileModes() {
    }

    /**
     * The private key files {@code key} names, in order; empty when it cannot be read. A PEM file
     * that holds no private key (a public key given for the private one) is none: its mode is no
     * secret's, and {@link OriginKeys#read} says what is wrong with it.
     */
    public static List<Path> privateKeyFiles(Path key) {
        try {
            return privateKeyFiles(key, Files.readString(key));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** As {@link #privateKeyFiles(Path)}, {@code key} holding {@code text} (read already). */
    static List<Path> privateKeyFiles(Path key, String text) {
        try {
            if (text.stripLeading().startsWith("-----BEGIN")) {
                return isPrivateKey(text) ? List.of(key) : List.of();
            }
            List<Path> files = new ArrayList<>();
            for (KeysFile.Entry entry : new ConfigLoader().read(text, key.toString(), KeysFile.class).keys()) {
                if (isPrivateKey(Files.readString(entry.file()))) {
                    files.add(entry.file());
                }
            }
            return files;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static boolean isPrivateKey(String pem) {
        return pem.contains("PRIVATE KEY-----");
    }

    /**
     * Why the keys {@code key} names may not be used: the first private key file other users may
     * read (its path, its mode and {@code chmod 600}), or null.
     */
    public static String problem(Path key) {
        return problem(privateKeyFiles(key));
    }

    /** As {@link #problem(Path)}, for the private key files {@code files} (see {@link #privateKeyFiles}). */
    static String problem(List<Path> files) {
        for (Path file : files) {
            String problem = PrivateKeyFiles.problem(file);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** A warning for each private key file {@code key} names that its group may read (and no more). */
    public static List<String> warnings(Path key) {
        return warnings(privateKeyFiles(key));
    }

    /** As {@link #warnings(Path)}, for the private key files {@code files}. */
    static List<String> warnings(List<Path> files) {
        List<String> warnings = new ArrayList<>();
        for (Path file : files) {
            String warning = PrivateKeyFiles.warning(file);
            if (warning != null && PrivateKeyFiles.problem(file) == null) {
                warnings.add(warning);
            }
        }
        return warnings;
    }
}

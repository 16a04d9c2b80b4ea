package org.rproxy.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.client.VerifiedDocument;

/**
 * An origin's key files and keys file in a test's folder, for the key rotation ITs
 * ({@link KeyRotationIT}, {@link MissedKeyRecoveryIT}): each file is written whole and moved into
 * place at once, as an operator's edit should be, so the origin's keys poll never reads half a file.
 */
final class OriginKeys {
    /** The key id in a {@code Signature-Input} field. */
    static final Pattern KEYID = Pattern.compile("keyid=\"([^\"]+)\"");

    private final Path dir;

    OriginKeys(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code text} to {@code name} in the folder, replacing it at once; returns its path. */
    Path write(String name, String text) throws Exception {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, text);
        return Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes the keys file {@code keys.yaml} with {@code entries}, {@code DIR} standing for the folder. */
    Path keys(String entries) throws Exception {
        return write("keys.yaml", "keys:\n" + entries.replace("DIR", dir.toString()));
    }

    /** The id of the key that signed {@code d} (its first signature), or {@code none}. */
    static String keyIdOf(VerifiedDocument d) {
        Matcher m = KEYID.matcher(d.field("signature-input").orElse(""));
        return m.find() ? m.group(1) : "none";
    }
}

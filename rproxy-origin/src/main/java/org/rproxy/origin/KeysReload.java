package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the origin's keys file again, so that an operator rotates the key by editing it (add the
 * next key; later mark it signing; later remove the old one) without restarting the origin: the
 * file is small, so it is simply read and checked at each poll rather than watched. A file that
 * does not read or check is refused with one log line per problem (once per distinct refusal,
 * not at every poll) and the keys in use stay. Keys it picks up are held to what {@code rproxy origin} asks
 * of a key at start ({@link KeyFileModes}): a private key file other users may read is refused
 * so (its path, its mode and {@code chmod 600} in the line), one its group may read is taken
 * with a warning, once. Runs on the origin's publishing thread, one poll at a time.
 */
final class KeysReload {
    private static final Logger log = LoggerFactory.getLogger(KeysReload.class);
    /** How often the file is read. */
    static final Duration EVERY = Duration.ofSeconds(1);

    private final Path file;
    private OriginKeys current;
    private String refused;
    /** The warnings about the keys' modes said so far (at start, by the command that starts the origin). */
    private final Set<String> warned;

    KeysReload(Path file, OriginKeys current) {
        this.file = requireNonNull(file, "file");
        this.current = requireNonNull(current, "current");
        this.warned = new HashSet<>(KeyFileModes.warnings(file));
    }

    /**
     * The keys returned by the last {@link #poll()} could not be applied and {@code inUse} stay:
     * the next poll returns the file's keys again.
     */
    void notApplied(OriginKeys inUse) {
        current = requireNonNull(inUse, "inUse");
    }

    /** The keys now in the file when they differ from those in use (which they then become), else null. */
    OriginKeys poll() {
        OriginKeys read;
        try {
            read = OriginKeys.read(file);
        } catch (RuntimeException e) {
            refuse(e.getMessage());
            return null;
        }
        if (read.sameAs(current)) {
            refused = null;
            return null;
        }
        // Judged when keys change, as at start: a key in use is in memory already, whatever its file's mode now.
        String open = KeyFileModes.problem(file);
        if (open != null) {
            refuse(open);
            return null;
        }
        refused = null;
        for (String w : KeyFileModes.warnings(file)) {
            if (warned.add(w)) {
                log.warn("keys file {}: {}", file, w);
            }
        }
        current = read;
        return read;
    }

    /**
     * Logs why the file is refused, once while the reason stays the same: a line for each problem
     * (the reason holds them one a line, as a refusal at start prints them), each saying the file
     * is refused, so that no log line holds another's text and each can be read alone.
     */
    private void refuse(String reason) {
        if (!Objects.equals(refused, reason)) {
            refused = reason;
            String signing = current.signing().publicKey().keyId();
            for (String problem : String.valueOf(reason).split("\n")) {
                if (!problem.isBlank()) {
                    log.warn("keys file refused, the keys in use stay (signing {}): {}", signing, problem);
                }
            }
        }
    }
}

package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the origin's keys file again, so that an operator rotates the key by editing it (add the
 * next key; later mark it signing; later remove the old one) without restarting the origin: the
 * file is small, so it is simply read and checked at each poll rather than watched. A file that
 * does not read or check is refused with one log line (once per distinct reason, not at every
 * poll) and the keys in use stay. Runs on the origin's publishing thread, one poll at a time.
 */
final class KeysReload {
    private static final Logger log = LoggerFactory.getLogger(KeysReload.class);
    /** How often the file is read. */
    static final Duration EVERY = Duration.ofSeconds(1);

    private final Path file;
    private OriginKeys current;
    private String refused;

    KeysReload(Path file, OriginKeys current) {
        this.file = requireNonNull(file, "file");
        this.current = requireNonNull(current, "current");
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
            if (!Objects.equals(refused, e.getMessage())) {
                refused = e.getMessage();
                log.warn("keys file refused, the keys in use stay (signing {}): {}", current.signing().publicKey().keyId(),
                        e.getMessage());
            }
            return null;
        }
        refused = null;
        if (read.sameAs(current)) {
            return null;
        }
        current = read;
        return read;
    }
}

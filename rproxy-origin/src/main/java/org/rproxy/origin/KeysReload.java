package org.rproxy.origin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the origin's keys file again, so that an operator rotates the key by editing it (add the
 * next key; later mark it signing; later remove the old one) without restarting the origin: the
 * file is small, so it is simply read and checked at each poll rather than watched. A change is
 * taken only once the file, and every file it lists, has stayed the same (size, modification
 * time, content) from one poll to the next ({@link KeysFileLook}): a file edited in place is
 * truncated, then written in pieces, and a piece may parse with entries missing, which the
 * origin would otherwise publish for a poll, a directory without a key the operator never
 * removed. What is waited for is logged once a change. A file that does not read or check is
 * refused with one log line per problem (once per distinct refusal, not at every poll) and the
 * keys in use stay. Keys it picks up are held to what {@code rproxy origin} asks
 * of a key at start ({@link KeyFileModes}): a private key file other users may read is refused
 * so (its path, its mode and {@code chmod 600} in the line), one its group may read is taken
 * with a warning, once. Runs on the origin's publishing thread, one poll at a time.
 */
final class KeysReload {
    private static final Logger log = LoggerFactory.getLogger(KeysReload.class);
    /** After this many polls of a file changing at each, a warning says that the change is not taken. */
    static final int STILL_CHANGING = 10;

    private final Path file;
    /** How often the file is read (the origin's {@code keys-poll}): named in the log while a change waits. */
    private final Duration every;
    private OriginKeys current;
    private String refused;
    /** The file as the last poll saw it. */
    private KeysFileLook last;
    /** How many polls in a row saw the file changed since the poll before; 0 when it stayed the same. */
    private int changing;
    /** The warnings about the keys' modes said so far (at start, by the command that starts the origin). */
    private final Set<String> warned;

    KeysReload(Path file, OriginKeys current, Duration every) {
        this.file = requireNonNull(file, "file");
        this.every = requireNonNull(every, "every");
        this.current = requireNonNull(current, "current");
        this.warned = new HashSet<>(KeyFileModes.warnings(file));
        this.last = KeysFileLook.of(file);
    }

    /**
     * The keys returned by the last {@link #poll()} could not be applied and {@code inUse} stay:
     * the next poll returns the file's keys again.
     */
    void notApplied(OriginKeys inUse) {
        current = requireNonNull(inUse, "inUse");
    }

    /**
     * The keys now in the file when they differ from those in use (which they then become), else
     * null; null too while the file (or a file it lists) changed since the last poll.
     */
    OriginKeys poll() {
        KeysFileLook look = KeysFileLook.of(file);
        KeysFileLook before = last;
        last = look;
        if (!look.sameAs(before)) {
            waitFor(look);
            return null;
        }
        boolean waited = changing > 0;
        changing = 0;
        if (look.problem() != null) {
            refuse(look.problem());
            return null;
        }
        OriginKeys read;
        try {
            read = OriginKeys.read(file, look.bytes());
        } catch (RuntimeException e) {
            refuse(e.getMessage());
            return null;
        }
        if (read.sameAs(current)) {
            refused = null;
            if (waited) {
                log.info("keys file {} stayed the same for a poll: it lists the keys in use", file);
            }
            return null;
        }
        // Judged when keys change, as at start: a key in use is in memory already, whatever its file's mode now.
        List<Path> privateKeys = KeyFileModes.privateKeyFiles(file, new String(look.bytes(), UTF_8));
        String open = KeyFileModes.problem(privateKeys);
        if (open != null) {
            refuse(open);
            return null;
        }
        refused = null;
        for (String w : KeyFileModes.warnings(privateKeys)) {
            if (warned.add(w)) {
                log.warn("keys file {}: {}", file, w);
            }
        }
        current = read;
        return read;
    }

    /** Logs that a change is seen and not yet taken: once a change, then once if it goes on changing. */
    private void waitFor(KeysFileLook look) {
        changing++;
        if (changing == 1) {
            log.info("keys file {} changed ({}); taking it once it stays the same for a poll ({} ms), so that a file"
                    + " being written is not taken half-written", file, look.describe(), every.toMillis());
        } else if (changing == STILL_CHANGING) {
            log.warn("keys file {} changed at each of the last {} polls ({}); the keys in use stay (signing {})"
                    + " until it stays the same for a poll", file, STILL_CHANGING, look.describe(),
                    current.signing().publicKey().keyId());
        } else {
            log.debug("keys file {} changed again ({}); waiting for it to stay the same", file, look.describe());
        }
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

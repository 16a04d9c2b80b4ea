package org.rproxy.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.io.AtomicFiles;

/**
 * The newest signature {@code created} the client has accepted for each request target, so that
 * no source can hand it an older version afterwards (a replayed or stale copy), not even after a
 * restart: with a state file, every new high is written through, atomically and durably
 * ({@link AtomicFiles}: a temporary file in the same folder forced to the disk, then a move over
 * the old one, then the folder forced), so a crash or a power cut leaves the old or the new
 * state, never half of one nor an empty file (which would stop the client at its next start).
 * The file is RFC 8785 JSON, {@code {"targets":{"/networkmap/x":1763776800}}} (epoch seconds,
 * which is what signatures carry). An unreadable file stops the client rather
 * than forget what it held. Thread-safe (the caller's threads and the update follower).
 */
final class RollbackGuard {
    private final Path file;
    private final Map<String, Long> highest = new HashMap<>();

    private RollbackGuard(Path file) {
        this.file = file;
    }

    /** Remembers in memory only: a restart forgets. */
    static RollbackGuard inMemory() {
        return new RollbackGuard(null);
    }

    /**
     * Remembers in {@code file}, reading it when it exists.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    static RollbackGuard open(Path file) {
        RollbackGuard g = new RollbackGuard(file.toAbsolutePath());
        if (Files.exists(file)) {
            try {
                JsonNode targets = Jcs.parse(Files.readAllBytes(file)).path("targets");
                if (!targets.isObject()) {
                    throw new IllegalArgumentException("no targets object");
                }
                for (Map.Entry<String, JsonNode> e : targets.properties()) {
                    if (!e.getValue().canConvertToLong() || e.getValue().asLong() < 0) {
                        throw new IllegalArgumentException("targets." + e.getKey() + ": " + e.getValue()
                                + " (expected: epoch seconds >= 0)");
                    }
                    g.highest.put(e.getKey(), e.getValue().asLong());
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("state file " + file + ": " + e.getMessage(), e);
            }
        }
        return g;
    }

    /** The newest {@code created} accepted for {@code target}, or null. */
    synchronized Instant held(String target) {
        Long s = highest.get(target);
        return s == null ? null : Instant.ofEpochSecond(s);
    }

    /**
     * Records an accepted version; writes the file when it is a new high.
     *
     * @throws UncheckedIOException when the file cannot be written; nothing is recorded then
     */
    synchronized void accepted(String target, Instant created) {
        long s = created.getEpochSecond();
        Long old = highest.get(target);
        if (old != null && old >= s) {
            return;
        }
        highest.put(target, s);
        if (file != null) {
            try {
                write();
            } catch (UncheckedIOException e) {
                // not recorded: not taken (the caller refuses it), so the held high stays as written
                if (old == null) {
                    highest.remove(target);
                } else {
                    highest.put(target, old);
                }
                throw e;
            }
        }
    }

    private void write() {
        ObjectNode targets = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(highest).forEach(targets::put);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("targets", targets);
        try {
            AtomicFiles.write(file, Jcs.canonicalize(root));
        } catch (IOException e) {
            throw new UncheckedIOException("state file " + file + ": cannot write: " + e.getMessage(), e);
        }
    }
}

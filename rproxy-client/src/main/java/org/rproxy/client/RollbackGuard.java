package org.rproxy.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.config.IoProblems;
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
 * than forget what it held.
 *
 * <p>Several clients may share one state file, in one process (an application bootstrapping a
 * new client while the old one still follows) or in several: each write merges, under an
 * exclusive lock, the file's current content with what this guard holds, keeping the higher
 * {@code created} of each target, so no client erases another's records. The lock is a
 * {@link FileLock} on {@code NAME.lock} beside the file (created at the first write and left
 * there: the state file itself is replaced at every write, so it cannot carry the lock), taken
 * after the lock of this process for that file. A guard learns the others' records when it opens
 * the file and at each of its writes; between those it refuses by what it knows.
 *
 * <p>Thread-safe (the caller's threads and the update follower).
 */
final class RollbackGuard {
    /** One monitor per state file in this process: a {@link FileLock} is held by the process, not by a thread. */
    private static final Map<Path, Object> PROCESS_LOCKS = new ConcurrentHashMap<>();

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
     * Remembers in {@code file}, reading it when it exists; other guards may share it (see the
     * class comment).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    static RollbackGuard open(Path file) {
        RollbackGuard g = new RollbackGuard(canonical(file));
        try {
            g.highest.putAll(read(g.file));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("state file " + file + ": " + e.getMessage(), e);
        }
        return g;
    }

    /** One name per file, whichever way it was spelt (relative, {@code ./}, a linked folder), so one process lock each. */
    private static Path canonical(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            return abs.getParent().toRealPath().resolve(abs.getFileName());
        } catch (IOException | RuntimeException e) {
            return abs; // no folder yet: writing will say so
        }
    }

    /**
     * The records in {@code file}, none when it does not exist.
     *
     * @throws IllegalArgumentException when it is not a state file
     */
    private static Map<String, Long> read(Path file) throws IOException {
        Map<String, Long> out = new HashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        JsonNode targets = Jcs.parse(Files.readAllBytes(file)).path("targets");
        if (!targets.isObject()) {
            throw new IllegalArgumentException("no targets object");
        }
        for (Map.Entry<String, JsonNode> e : targets.properties()) {
            if (!e.getValue().canConvertToLong() || e.getValue().asLong() < 0) {
                throw new IllegalArgumentException("targets." + e.getKey() + ": " + e.getValue()
                        + " (expected: epoch seconds >= 0)");
            }
            out.put(e.getKey(), e.getValue().asLong());
        }
        return out;
    }

    /** The newest {@code created} accepted for {@code target}, or null. */
    synchronized Instant held(String target) {
        Long s = highest.get(target);
        return s == null ? null : Instant.ofEpochSecond(s);
    }

    /**
     * Records an accepted version; writes the file when it is a new high, merged with what other
     * guards wrote there.
     *
     * @throws UncheckedIOException when the file cannot be written (or has become unreadable);
     *                              nothing is recorded then
     */
    synchronized void accepted(String target, Instant created) {
        long s = created.getEpochSecond();
        Long old = highest.get(target);
        if (old != null && old >= s) {
            return;
        }
        if (file == null) {
            highest.put(target, s);
            return;
        }
        Map<String, Long> mine = new HashMap<>(highest);
        mine.put(target, s);
        // memory takes the merge only once it is written: a failed write records nothing
        mergeAndWrite(mine).forEach((t, v) -> highest.merge(t, v, Math::max));
    }

    /** Writes the file's current records merged with {@code mine} (the higher of each), under both locks; returns them. */
    private Map<String, Long> mergeAndWrite(Map<String, Long> mine) {
        synchronized (PROCESS_LOCKS.computeIfAbsent(file, f -> new Object())) {
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.lock(); // exclusive, released when the channel closes
                Map<String, Long> merged;
                try {
                    merged = read(file);
                } catch (RuntimeException e) {
                    throw new IOException("unreadable now (" + e.getMessage() + "), not overwritten", e);
                }
                mine.forEach((t, v) -> merged.merge(t, v, Math::max));
                write(merged);
                return merged;
            } catch (IOException e) {
                // IoProblems: the JDK's message is the bare path, which does not say what to fix
                throw new UncheckedIOException("state file " + file + ": cannot write: " + IoProblems.message(e), e);
            } catch (OverlappingFileLockException e) {
                // this process holds the lock through another name for the file (a hard link)
                throw new UncheckedIOException("state file " + file + ": cannot write: locked by this process"
                        + " under another name", new IOException(e));
            }
        }
    }

    private void write(Map<String, Long> records) throws IOException {
        ObjectNode targets = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(records).forEach(targets::put);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("targets", targets);
        AtomicFiles.write(file, Jcs.canonicalize(root));
    }
}

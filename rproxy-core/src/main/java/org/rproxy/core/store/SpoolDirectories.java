package org.rproxy.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories of {@link BodySpool}s under a parent: one per spool, named
 * {@code rproxy-spool-<pid>-<random>} so that a spool can tell the ones whose process is gone
 * (it crashed, or was killed before it could delete its own) from those of live processes, which
 * may share the parent (the temp directory). Called on the thread that opens or closes a spool.
 */
final class SpoolDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolDirectories.class);
    static final String PREFIX = "rproxy-spool-";

    private SpoolDirectories() {
    }

    /**
     * A new directory for this process's spool under {@code parent}, after deleting those of
     * processes that are gone.
     *
     * @throws UncheckedIOException when {@code parent} is not a directory this process can write
     */
    static Path create(Path parent) {
        if (!Files.isDirectory(parent) || !Files.isWritable(parent)) {
            String why = parent + " is not a writable directory";
            throw new UncheckedIOException(why, new IOException(why));
        }
        removeAbandoned(parent);
        try {
            return Files.createTempDirectory(parent, PREFIX + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(parent + ": cannot create a spool directory: " + e.getMessage(), e);
        }
    }

    /** Deletes {@code dir} and the files in it; a failure is logged, not thrown (a stop goes on). */
    static void delete(Path dir) {
        try (var files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("cannot delete {}", dir, e);
        }
    }

    private static void removeAbandoned(Path parent) {
        try (var entries = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : entries) {
                String rest = dir.getFileName().toString().substring(PREFIX.length());
                int dash = rest.indexOf('-');
                long pid = parsePid(dash > 0 ? rest.substring(0, dash) : "");
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                LOG.info("removing {}, left by a process that is gone", dir);
                delete(dir);
            }
        } catch (IOException e) {
            LOG.warn("cannot list {} for abandoned spools", parent, e);
        }
    }

    private static long parsePid(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

package org.rproxy.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories of {@link BodySpool}s under a parent: one per spool, named
 * {@code rproxy-spool-<pid>-<random>} so that a spool can tell the ones whose process is gone
 * (it crashed, or was killed before it could delete its own) from those of live processes, which
 * may share the parent (the temp directory). A process id says nothing across PID namespaces
 * (two containers sharing a spool volume are often both pid 1), so each spool also holds a lock
 * on its directory's {@value #LOCK} file for as long as it is open: a directory is abandoned only
 * when its pid is not alive here <em>and</em> its lock can be taken. Called on the thread that
 * opens or closes a spool.
 */
final class SpoolDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolDirectories.class);
    static final String PREFIX = "rproxy-spool-";
    static final String LOCK = ".lock";

    /** A spool's directory and the channel holding its lock (closing it lets the lock go). */
    record Owned(Path dir, FileChannel lock) {
    }

    private SpoolDirectories() {
    }

    /**
     * A new directory for this process's spool under {@code parent}, after deleting those of
     * processes that are gone.
     *
     * @throws UncheckedIOException when {@code parent} is not a directory this process can write
     */
    static Owned create(Path parent) {
        if (!Files.isDirectory(parent) || !Files.isWritable(parent)) {
            String why = parent + " is not a writable directory";
            throw new UncheckedIOException(why, new IOException(why));
        }
        removeAbandoned(parent);
        Path dir = null;
        try {
            dir = Files.createTempDirectory(parent, PREFIX + ProcessHandle.current().pid() + "-");
            FileChannel lock = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock.lock();
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
            return new Owned(dir, lock);
        } catch (IOException e) {
            if (dir != null) {
                delete(dir);
            }
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
                if (lockedByALiveSpool(dir)) {
                    LOG.debug("keeping {}: its pid is not alive here, but its lock is held (another PID namespace)", dir);
                    continue;
                }
                LOG.info("removing {}, left by a process that is gone", dir);
                delete(dir);
            }
        } catch (IOException e) {
            LOG.warn("cannot list {} for abandoned spools", parent, e);
        }
    }

    /**
     * Whether a live spool holds {@code dir}'s lock: in another process (the lock is not free), or
     * in this one. A directory without a lock file (one whose process died before making it) or
     * whose lock is free is not; one whose lock cannot even be tried is taken for held.
     */
    private static boolean lockedByALiveSpool(Path dir) {
        Path lock = dir.resolve(LOCK);
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock taken = ch.tryLock();
            if (taken == null) {
                return true;
            }
            taken.release();
            return false;
        } catch (OverlappingFileLockException thisProcess) {
            return true;
        } catch (IOException e) {
            LOG.warn("cannot try the lock of {}; keeping it", dir, e);
            return true;
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

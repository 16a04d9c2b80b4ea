package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

import org.rproxy.core.io.SlicedWrites;
import org.rproxy.core.model.Bytes;

/**
 * The files of one {@link BodySpool}: writes each body to a new file in the spool's directory,
 * open for reading, as a {@link SpooledBody} with the caller's reference, and counts the bytes in
 * files not yet deleted. Thread-safe; writes on the caller's thread (a feed's, never an event loop),
 * in {@link SlicedWrites slices}, so the thread keeps no direct copy of the body.
 */
final class SpoolFiles {
    private final Path directory;
    /** Closes and deletes the files whose last reference is gone: never on the event loop that released it. */
    private final Executor freer;
    private final AtomicLong names = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    SpoolFiles(Path directory, Executor freer) {
        this.directory = requireNonNull(directory, "directory");
        this.freer = requireNonNull(freer, "freer");
    }

    /** Bytes in files written and not yet deleted. */
    long bytes() {
        return bytes.get();
    }

    /**
     * {@code body} in a new file, with one reference (the caller's).
     *
     * @throws UncheckedIOException when the file cannot be written (none is left behind)
     */
    SpooledBody write(Bytes body) {
        Path file = directory.resolve("body-" + names.incrementAndGet());
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            SlicedWrites.writeAll(ch, body.unsafeArray());
            bytes.addAndGet(body.length());
            return new SpooledBody(file, ch, body.length(), freer, freed -> bytes.addAndGet(-freed));
        } catch (IOException e) {
            closeQuietly(ch);
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The directory goes when the spool closes.
            }
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing after a failed write: nothing more to do.
            }
        }
    }
}

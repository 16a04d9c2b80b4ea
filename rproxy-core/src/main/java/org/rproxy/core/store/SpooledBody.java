package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One body written to a file of a {@link BodySpool}, open for reading, so that the kernel can send
 * it to sockets without a copy through user memory (sendfile). Reference-counted: the spool holds
 * one reference while the store holds a variant with these bytes, and every response being
 * written holds one more; the file is closed and deleted when the last one is released, so a
 * representation replaced while slow clients still download it stays whole for them.
 *
 * <p>Thread-safe. Several responses read the one channel at once: positional
 * {@link FileChannel#transferTo} never moves the channel's position. Released on whatever thread
 * finishes last, an event loop after a write or the feed's thread when the store lets go; the
 * closing and deleting then run on the spool's own thread, since an event loop does no file I/O.
 */
public final class SpooledBody {
    private static final Logger LOG = LoggerFactory.getLogger(SpooledBody.class);

    private final Path file;
    private final FileChannel channel;
    private final long length;
    private final Executor freer;
    private final LongConsumer onFreed;
    private final AtomicInteger refs = new AtomicInteger(1);

    /**
     * Takes over {@code channel} (open for reading, {@code length} bytes written) with one reference,
     * the caller's.
     *
     * @param freer   runs the closing and deleting after the last release (inline once it is shut down)
     * @param onFreed told the length once the file is deleted, for the spool's count of bytes
     */
    SpooledBody(Path file, FileChannel channel, long length, Executor freer, LongConsumer onFreed) {
        this.file = requireNonNull(file, "file");
        this.channel = requireNonNull(channel, "channel");
        this.freer = requireNonNull(freer, "freer");
        this.onFreed = requireNonNull(onFreed, "onFreed");
        if (length < 0) {
            throw new IllegalArgumentException("length: " + length + " (expected: >= 0)");
        }
        this.length = length;
    }

    /** The file; it exists until the last reference is released. */
    public Path file() {
        return file;
    }

    /** The open file, for positional reads and transfers only (never close it, never move it). */
    public FileChannel channel() {
        return channel;
    }

    public long length() {
        return length;
    }

    /** Current references; 0 once the file is gone. */
    public int refCnt() {
        return refs.get();
    }

    /**
     * Takes one more reference unless the body is already freed: a response that loses this race
     * to the last release writes the bytes from memory instead.
     *
     * @return false when the body is freed (nothing was taken)
     */
    public boolean tryRetain() {
        for (;;) {
            int n = refs.get();
            if (n <= 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * Gives one reference back; the last one has the file closed and deleted (on the spool's
     * thread: shortly after this returns).
     *
     * @throws IllegalStateException when there is none to give back (a release too many)
     */
    public void release() {
        for (;;) {
            int n = refs.get();
            if (n <= 0) {
                throw new IllegalStateException("released " + file + " once too often");
            }
            if (refs.compareAndSet(n, n - 1)) {
                if (n == 1) {
                    freeLater();
                }
                return;
            }
        }
    }

    private void freeLater() {
        try {
            freer.execute(this::free);
        } catch (RejectedExecutionException e) {
            free(); // the spool has closed: whoever releases last frees
        }
    }

    private void free() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("cannot close spooled body {}", file, e);
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete spooled body {}", file, e);
        }
        onFreed.accept(length);
    }

    @Override
    public String toString() {
        return "SpooledBody[" + file + ", " + length + " bytes, refs " + refs.get() + "]";
    }
}

package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.model.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Large bodies kept as files, so that the front end sends them with
 * sendfile instead of copying them from user memory into the kernel on every response (what
 * nginx does with {@code sendfile on}). The store spools a body when it takes a variant of
 * {@link #minBytes()} or more, once per body object: a variant rebuilt around the same bytes (an
 * {@code age} stamped, a revalidation's new fields) shares the file. The store holds the body for
 * every variant it keeps ({@link #hold}), gives it back when the variant leaves ({@link #letGo}),
 * and the front end takes a reference per response ({@link #acquire}); see {@link SpooledBody}.
 *
 * <p>Each spool writes into a directory of its own under the configured parent and deletes it
 * when closed; opening one deletes what spools of processes no longer alive left behind (a
 * crash); see {@link SpoolDirectories}. Thread-safe: the feed's threads hold and let go (and write
 * the files, never an event loop, and outside the map of holders: two holds of a new body at once
 * may both write it, and the one that loses keeps the other's file and deletes its own); event
 * loops acquire, a lock-free lookup. A hold and a close
 * racing leave no file: close waits for the holds under way (each one file's write), and a hold
 * after it is refused.
 */
public final class BodySpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BodySpool.class);
    /** Below this a body is written from its direct copy ({@link Variant#DIRECT_MIN_BYTES}), which the weigher counts alike. */
    public static final long MIN_MIN_BYTES = Variant.DIRECT_MIN_BYTES;

    private final Path directory;
    /** Holds the directory's lock while the spool is open (see {@link SpoolDirectories}). */
    private final FileChannel lock;
    private final long minBytes;
    private final SpoolFiles files;
    private final ExecutorService ownFreer;
    private final ConcurrentHashMap<Identity, Held> bodies = new ConcurrentHashMap<>();
    private final AtomicLong sends = new AtomicLong();
    /**
     * Bodies that could not be spooled since the last that could: the first of a run is said with
     * the reason (a full disk, no descriptor left, the directory gone), the rest only counted, and
     * the next file written says how many. A full disk lasts, and every large body taken meanwhile
     * (each refresh of each large document) logged a warning with its stack trace.
     */
    private final AtomicLong unspooled = new AtomicLong();
    /**
     * Holds share it, {@link #close} takes it alone: a hold that found the spool open has put its
     * file in {@link #bodies} before close lets go of them and deletes the directory.
     */
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** A body looked up by identity: hashing a megabyte array per response would cost what sendfile saves. */
    private static final class Identity {
        private final Bytes body;

        Identity(Bytes body) {
            this.body = body;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Identity i && i.body == body;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(body);
        }
    }

    /** A spooled body and how many variants in the store hold it. */
    private record Held(SpooledBody body, int holders) {
    }

    private BodySpool(SpoolDirectories.Owned owned, long minBytes, Executor freer, ExecutorService ownFreer) {
        this.directory = owned.dir();
        this.lock = owned.lock();
        this.minBytes = minBytes;
        this.files = new SpoolFiles(owned.dir(), freer);
        this.ownFreer = ownFreer;
    }

    /**
     * A spool in a new directory under {@code parent}, for bodies of {@code minBytes} or more.
     *
     * @throws IllegalArgumentException when {@code minBytes} is below {@link #MIN_MIN_BYTES}
     * @throws UncheckedIOException     when {@code parent} is not a directory this process can write
     */
    public static BodySpool open(Path parent, long minBytes) {
        // Its thread starts with the first file freed.
        ExecutorService freer = Executors.newSingleThreadExecutor(DaemonThreads.named("rproxy-spool"));
        try {
            return open(parent, minBytes, freer, freer);
        } catch (RuntimeException e) {
            freer.shutdown();
            throw e;
        }
    }

    /**
     * The spool {@code cache} asks for (in {@code spool-dir}, else {@link #defaultParent()}), or
     * null when it spools nothing.
     *
     * @throws ConfigException naming {@code cache.spool-dir} when that directory is unusable
     */
    public static BodySpool of(CacheConfig cache) {
        if (!cache.spool()) {
            return null;
        }
        Path parent = cache.spoolDir() != null ? cache.spoolDir() : defaultParent();
        try {
            return open(parent, cache.spoolMinBytes().bytes());
        } catch (UncheckedIOException e) {
            throw new ConfigException("cache.spool-dir: " + e.getMessage(), e);
        }
    }

    /** A spool whose files are freed by {@code freer} (tests: on the releasing thread). */
    static BodySpool open(Path parent, long minBytes, Executor freer) {
        return open(parent, minBytes, requireNonNull(freer, "freer"), null);
    }

    private static BodySpool open(Path parent, long minBytes, Executor freer, ExecutorService own) {
        requireNonNull(parent, "parent");
        if (minBytes < MIN_MIN_BYTES) {
            throw new IllegalArgumentException("minBytes: " + minBytes + " (expected: >= " + MIN_MIN_BYTES + ")");
        }
        SpoolDirectories.Owned owned = SpoolDirectories.create(parent);
        LOG.info("spooling bodies of {} bytes or more in {}", minBytes, owned.dir());
        return new BodySpool(owned, minBytes, freer, own);
    }

    /**
     * {@code java.io.tmpdir}. Not {@code /dev/shm}: a file system on disk keeps a file's pages in
     * the page cache as large folios, so sendfile looks up one folio where tmpfs (mounted without
     * {@code huge=}, as {@code /dev/shm} is) looks up every 4 KB page; measured on a 5 MB body,
     * 20-25 % less CPU per response (bench/HISTORY.md). The files are written once per version,
     * so the disk sees little of them.
     */
    public static Path defaultParent() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** This spool's own directory. */
    public Path directory() {
        return directory;
    }

    public long minBytes() {
        return minBytes;
    }

    /** Bytes in spooled files now, including those kept only for responses still being written. */
    public long spooledBytes() {
        return files.bytes();
    }

    /** Responses that have taken a body's file to send it ({@link #acquire}), since the spool opened. */
    public long sends() {
        return sends.get();
    }

    /**
     * Called by the store for each variant body it takes: spools {@code body} (on this thread) unless
     * it is spooled already, and counts one more holder.
     *
     * @return false when the body is too small, the spool is closed, or the file could not be
     *         written (logged; the body is then written from memory)
     */
    boolean hold(Bytes body) {
        if (body.length() < minBytes) {
            return false;
        }
        closing.readLock().lock();
        try {
            if (closed) {
                return false;
            }
            Identity id = new Identity(body);
            if (bodies.computeIfPresent(id, (k, held) -> new Held(held.body(), held.holders() + 1)) != null) {
                return true;
            }
            // Written outside the map's lock: a compute writing megabytes would hold up every
            // lookup and letGo that meets its bin (or a resize) for as long.
            SpooledBody written = files.write(body);
            long failed = unspooled.getAndSet(0);
            if (failed > 0) {
                LOG.info("spooling in {} again; {} bodies were written from memory meanwhile", directory, failed);
            }
            Held held = bodies.merge(id, new Held(written, 1),
                    (mine, theirs) -> new Held(mine.body(), mine.holders() + 1));
            if (held.body() != written) {
                written.release(); // another hold of the same body wrote it first: this file goes
            }
            return true;
        } catch (UncheckedIOException e) {
            if (unspooled.getAndIncrement() == 0) {
                LOG.warn("cannot spool a body of {} bytes in {}: {}; bodies of {} bytes or more are written from memory"
                        + " (weighed in cache.max-bytes alike) until a file can be written there again", body.length(),
                        directory, IoProblems.message(e.getCause()), minBytes);
            } else {
                LOG.debug("cannot spool a body of {} bytes in {} either", body.length(), directory, e);
            }
            return false;
        } finally {
            closing.readLock().unlock();
        }
    }

    /** Called by the store for each body it {@link #hold held} when the variant leaves; the last holder frees the spool's reference. */
    void letGo(Bytes body) {
        SpooledBody[] last = new SpooledBody[1];
        bodies.computeIfPresent(new Identity(body), (k, held) -> {
            if (held.holders() > 1) {
                return new Held(held.body(), held.holders() - 1);
            }
            last[0] = held.body();
            return null;
        });
        if (last[0] != null) {
            last[0].release();
        }
    }

    /**
     * The spooled file of {@code body} with a reference taken for one response, which releases it
     * when written; null when {@code body} is not spooled (or no longer: write it from memory).
     * Runs on event loops: a lookup and a compare-and-set.
     */
    public SpooledBody acquire(Bytes body) {
        if (body.length() < minBytes) {
            return null;
        }
        Held held = bodies.get(new Identity(body));
        if (held == null || !held.body().tryRetain()) {
            return null;
        }
        sends.incrementAndGet();
        return held.body();
    }

    /**
     * Lets go of every body and deletes the directory, once the holds under way have written their
     * files (a hold after this is refused). A file a response still reads disappears from the
     * directory at once; its memory goes when that response ends.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closing.writeLock().lock(); // waits for the holds under way
        closed = true; // cannot throw: no finally needed
        closing.writeLock().unlock();
        for (Identity k : bodies.keySet()) {
            Held held = bodies.remove(k);
            if (held != null) {
                held.body().release();
            }
        }
        if (ownFreer != null) {
            ownFreer.shutdown(); // what it was given runs; a later last release frees inline
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.debug("closing the lock of {}", directory, e);
        }
        SpoolDirectories.delete(directory);
    }
}

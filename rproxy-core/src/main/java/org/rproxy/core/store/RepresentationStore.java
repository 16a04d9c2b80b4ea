package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of ready-to-write representations, bounded by bytes: a Caffeine
 * cache whose weigher is {@link Representation#weight()}, so that the bound counts bodies and
 * headers, not entries. Feeds put what they verified; the front end's services read.
 *
 * <p>Thread-safe. Only writes push the store over its bound, and {@link #put} finishes Caffeine's
 * maintenance before it returns, so the bound holds as soon as it does, under any load; a single
 * representation heavier than the whole bound is evicted at once. Maintenance a read asks for (when
 * Caffeine's read buffer fills) goes to the store's own maintenance thread
 * ({@code rproxy-store-maintenance}, started when needed, gone when idle), never run on the reader:
 * readers are event loops. Listeners hear of every store and removal on the thread that made it, and
 * of every eviction, with the spool's {@link BodySpool#letGo}, on the thread of the {@link #put} that
 * caused it, before that put returns: the eviction itself only queues the evicted entry (it runs
 * inside Caffeine's maintenance, on whichever thread does it), and each put hears the queue out
 * after its maintenance. So no reader ever runs a listener or touches the spool. The store knows
 * nothing of freshness: what is still valid is the feed's business.
 *
 * <p>{@link #put} prepares large bodies on the feed's thread, so no event loop ever copies one:
 * with a {@link BodySpool}, a body of its {@link BodySpool#minBytes()} or more is written to a
 * spool file (sent with sendfile) and held there while any stored variant has it, and let go of
 * when the last one leaves, replaced, removed or evicted (responses still reading it keep it
 * until they end); any other body from {@link Variant#DIRECT_MIN_BYTES} on gets its direct copy
 * ({@link Variant#directBody()}), which goes with the garbage collector. The weigher counts
 * either off-heap copy ({@link Variant#weight()}), so the byte bound covers spooled files too.
 *
 * @param <K> the key type, with value equality
 */
public final class RepresentationStore<K> {
    private static final Logger LOG = LoggerFactory.getLogger(RepresentationStore.class);

    private final long maxBytes;
    private final BodySpool spool;
    private final Cache<K, Stored> cache;
    private final List<StoreListener<K>> listeners = new CopyOnWriteArrayList<>();
    /** Evicted entries not yet heard of: filled inside Caffeine's maintenance, emptied by {@link #put}. */
    private final Queue<Evicted<K>> evicted = new ConcurrentLinkedQueue<>();
    /** Says a representation is larger than the bound, once per key every ten minutes. */
    private final RateLimitedLog tooLarge = new RateLimitedLog(Duration.ofMinutes(10));

    /** A representation as held, and which of its bodies the spool holds for it (to let go of exactly those). */
    private record Stored(Representation representation, boolean identitySpooled, boolean gzipSpooled) {
    }

    /** An entry evicted, to be heard of by a writer. */
    private record Evicted<K>(K key, Stored stored) {
    }

    private RepresentationStore(long maxBytes, BodySpool spool) {
        this.maxBytes = maxBytes;
        this.spool = spool;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((K k, Stored s) -> (int) Math.min(Integer.MAX_VALUE, s.representation().weight()))
                .executor(maintenanceExecutor())
                .evictionListener((K k, Stored s, RemovalCause cause) -> evicted.add(new Evicted<>(k, s)))
                .build();
    }

    /**
     * The thread Caffeine hands its deferred maintenance to (the one a read asks for above all): at
     * most one, started on demand and ended after a minute idle, so a store needs no closing; its
     * queue is unbounded, so a hand-off is never refused (a refused one would run on the reader).
     */
    private static Executor maintenanceExecutor() {
        ThreadPoolExecutor maintenance = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                DaemonThreads.named("rproxy-store-maintenance"));
        maintenance.allowCoreThreadTimeOut(true);
        return maintenance;
    }

    /**
     * A store holding at most {@code maxBytes} of representations (by {@link Representation#weight()}).
     *
     * @throws IllegalArgumentException when {@code maxBytes} is not positive
     */
    public static <K> RepresentationStore<K> boundedBy(long maxBytes) {
        return boundedBy(maxBytes, null);
    }

    /**
     * A store holding at most {@code maxBytes} that spools large bodies into {@code spool} (null:
     * none). The spool is the caller's to close, after whatever serves from this store has stopped.
     *
     * @throws IllegalArgumentException when {@code maxBytes} is not positive
     */
    public static <K> RepresentationStore<K> boundedBy(long maxBytes, BodySpool spool) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
        }
        return new RepresentationStore<>(maxBytes, spool);
    }

    /** The representation held for {@code key}, or null. Counts as a use for the eviction policy. */
    public Representation get(K key) {
        Stored s = cache.getIfPresent(requireNonNull(key, "key"));
        return s == null ? null : s.representation();
    }

    /** Stores {@code representation} under {@code key}, replacing what was there, and evicts to stay in bounds. */
    public void put(K key, Representation representation) {
        requireNonNull(key, "key");
        requireNonNull(representation, "representation");
        // Larger than the bound, it is evicted as soon as it is put: its files would be written only
        // to be deleted, on every fetch of it, and nothing would say why it is never held.
        boolean fits = representation.weight() <= maxBytes;
        if (!fits) {
            tooLarge.warnAbout(LOG, key, "{}: {} bytes to hold (both variants; a body of 16 KB or more counts twice),"
                    + " over the store's bound of {} bytes (cache.max-bytes): served as fetched but never held, so"
                    + " every request for it goes upstream", key, representation.weight(), maxBytes);
        }
        // Held before the cache has it: the front end finds the file as soon as it finds the variant.
        boolean identitySpooled = prepare(representation.identity(), fits);
        boolean gzipSpooled = representation.gzip() != null && prepare(representation.gzip(), fits);
        Stored replaced = cache.asMap().put(key, new Stored(representation, identitySpooled, gzipSpooled));
        if (replaced != null) {
            letGo(replaced);
        }
        notify(key, representation, StoreListener.Change.STORED);
        // Caffeine may defer part of its maintenance; finish it so the bound holds on return.
        cache.cleanUp();
        for (Evicted<K> e = evicted.poll(); e != null; e = evicted.poll()) {
            letGo(e.stored());
            notify(e.key(), e.stored().representation(), StoreListener.Change.EVICTED);
        }
    }

    /** Removes what is held for {@code key}, if anything. */
    public void remove(K key) {
        Stored removed = cache.asMap().remove(requireNonNull(key, "key"));
        if (removed != null) {
            letGo(removed);
            notify(key, removed.representation(), StoreListener.Change.REMOVED);
        }
    }

    /** Registers a listener for every later change. */
    public void addListener(StoreListener<K> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /** Bytes held, by the weigher; never above {@link #maxBytes()} once a write has returned. */
    public long weightedBytes() {
        return cache.policy().eviction().orElseThrow().weightedSize().orElse(0L);
    }

    /** The number of representations held. */
    public long size() {
        return cache.estimatedSize();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The spool large bodies go to, or null. */
    public BodySpool spool() {
        return spool;
    }

    /** Spools the body of {@code v} (when {@code spoolIt}) or makes its direct copy, as its size says; true when spooled. */
    private boolean prepare(Variant v, boolean spoolIt) {
        if (spoolIt && spool != null && spool.hold(v.body())) {
            return true;
        }
        if (v.hasDirectBody()) {
            v.directBody();
        }
        return false;
    }

    /** Gives the spool back the bodies {@code stored} held there. */
    private void letGo(Stored stored) {
        Representation representation = stored.representation();
        if (stored.identitySpooled()) {
            spool.letGo(representation.identity().body());
        }
        if (stored.gzipSpooled()) {
            spool.letGo(representation.gzip().body());
        }
    }

    private void notify(K key, Representation representation, StoreListener.Change change) {
        for (StoreListener<K> l : listeners) {
            try {
                l.changed(key, representation, change);
            } catch (RuntimeException e) {
                LOG.warn("store listener failed on {} {}", change, key, e);
            }
        }
    }
}

package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of ready-to-write representations, bounded by bytes: a Caffeine
 * cache whose weigher is {@link Representation#weight()}, so that the bound counts bodies and
 * headers, not entries. Feeds put what they verified; the front end's services read.
 *
 * <p>Thread-safe. Eviction runs on the thread of the write that pushed the store over its bound
 * (Caffeine's maintenance on the caller), so the bound holds as soon as {@link #put} returns,
 * under any load; a single representation heavier than the whole bound is evicted at once.
 * Listeners hear of every store, removal and eviction on the thread that caused it. The store
 * knows nothing of freshness: what is still valid is the feed's business.
 *
 * <p>{@link #put} makes the direct copies of large bodies ({@link Variant#directBody()}) on the
 * feed's thread, so no event loop ever copies a large body; the weigher counts them, and they go
 * (with the garbage collector) when the representation is no longer held or served.
 *
 * @param <K> the key type, with value equality
 */
public final class RepresentationStore<K> {
    private static final Logger LOG = LoggerFactory.getLogger(RepresentationStore.class);

    private final long maxBytes;
    private final Cache<K, Representation> cache;
    private final List<StoreListener<K>> listeners = new CopyOnWriteArrayList<>();

    private RepresentationStore(long maxBytes) {
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((K k, Representation r) -> (int) Math.min(Integer.MAX_VALUE, r.weight()))
                .executor(Runnable::run)
                .removalListener(this::onRemoval)
                .build();
    }

    /**
     * A store holding at most {@code maxBytes} of representations (by {@link Representation#weight()}).
     *
     * @throws IllegalArgumentException when {@code maxBytes} is not positive
     */
    public static <K> RepresentationStore<K> boundedBy(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
        }
        return new RepresentationStore<>(maxBytes);
    }

    /** The representation held for {@code key}, or null. Counts as a use for the eviction policy. */
    public Representation get(K key) {
        return cache.getIfPresent(requireNonNull(key, "key"));
    }

    /** Stores {@code representation} under {@code key}, replacing what was there, and evicts to stay in bounds. */
    public void put(K key, Representation representation) {
        requireNonNull(key, "key");
        requireNonNull(representation, "representation");
        prepare(representation.identity());
        if (representation.gzip() != null) {
            prepare(representation.gzip());
        }
        cache.put(key, representation);
        notify(key, representation, StoreListener.Change.STORED);
        // Caffeine may defer part of its maintenance; finish it so the bound holds on return.
        cache.cleanUp();
    }

    /** Removes what is held for {@code key}, if anything. */
    public void remove(K key) {
        cache.invalidate(requireNonNull(key, "key"));
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

    private static void prepare(Variant v) {
        if (v.hasDirectBody()) {
            v.directBody();
        }
    }

    private void onRemoval(K key, Representation representation, RemovalCause cause) {
        if (key == null || representation == null || cause == RemovalCause.REPLACED) {
            return;
        }
        notify(key, representation, cause == RemovalCause.EXPLICIT
                ? StoreListener.Change.REMOVED : StoreListener.Change.EVICTED);
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

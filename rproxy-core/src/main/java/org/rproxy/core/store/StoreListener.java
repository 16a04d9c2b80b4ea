package org.rproxy.core.store;

/**
 * Told about every change of a {@link RepresentationStore}: the push publisher announces new
 * representations to subscribers, the pull feed forgets what the store evicted.
 *
 * <p>Called on the thread that made the change (the one that stored or removed, or, for an
 * eviction, a thread whose {@link RepresentationStore#put} was under way when it happened, before
 * that put returns), right after it happened; never on a thread that only reads the store (an
 * event loop). Must be quick and must not call back into the store for the same key. An exception
 * thrown here is logged and otherwise ignored.
 *
 * @param <K> the store's key type
 */
@FunctionalInterface
public interface StoreListener<K> {

    /** Why a representation appeared in or left the store. */
    enum Change {
        /** Stored, new or in place of an older one. */
        STORED,
        /** Taken out by {@link RepresentationStore#remove}. */
        REMOVED,
        /** Evicted to keep the store under its byte bound. */
        EVICTED
    }

    /**
     * @param key            the key that changed
     * @param representation the representation stored, or the one that left
     * @param change         what happened
     */
    void changed(K key, Representation representation, Change change);
}

package org.rproxy.pull;

import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pull feed's entries by key ({@link CachedCopies}), with the two steps that must be atomic
 * against each other for the table and the store to agree: a hold making its entry the key's
 * ({@link #link}) and the store's listener taking out an entry that holds nothing
 * ({@link #takeOutIfEmpty}). Both run in the map's per-key atomic updates, whose functions only
 * set or read fields: no lock is taken inside them, so a thread holding an entry's lock (a hold
 * whose store write evicts another key's copy) may use them freely.
 */
final class EntryTable {
    private final ConcurrentHashMap<CacheKey, Entry> entries = new ConcurrentHashMap<>();

    Entry get(CacheKey key) {
        return entries.get(key);
    }

    /** The entry of {@code key}, made (for {@code call}, unpinned) when there is none. */
    Entry getOrAdd(CacheKey key, UpstreamCall call, Instant now) {
        return entries.computeIfAbsent(key, k -> new Entry(k, call, false, now));
    }

    /** Pins {@code key}: a prefetched target, never forgotten. At start, before any copy is held. */
    void pin(CacheKey key, Instant now) {
        entries.put(key, new Entry(key, UpstreamCall.PLAIN_GET, true, now));
    }

    /**
     * The signed copy {@code key}'s entry holds now for a GET, or null: a read of the key's entry
     * at this moment (one made since another was taken out counts), taking no lock.
     */
    CachedCopy heldSigned(CacheKey key) {
        Entry e = entries.get(key);
        CachedCopy h = e == null ? null : e.held();
        return e != null && CopyListeners.toldOf(e, h) ? h : null;
    }

    boolean contains(CacheKey key) {
        return entries.containsKey(key);
    }

    Collection<Entry> all() {
        return entries.values();
    }

    /**
     * Makes {@code e} hold {@code h} as its key's entry, putting it back when the key has none
     * (it was taken out since the caller found it). Returns the key's entry: {@code e}, or another
     * one made since {@code e} was taken out, leaving both as they were (the caller holds into that
     * one instead). Under the caller's lock of {@code e}.
     */
    Entry link(Entry e, CachedCopy h) {
        return entries.compute(e.key, (k, current) -> {
            if (current != null && current != e) {
                return current;
            }
            e.hold(h);
            return e;
        });
    }

    /** Takes {@code e} out if it is its key's entry, unpinned, and holds nothing at this moment. */
    void takeOutIfEmpty(Entry e) {
        if (!e.pinned) {
            entries.computeIfPresent(e.key, (k, current) -> current == e && e.held() == null ? null : current);
        }
    }

    /** Takes {@code e} out (when it is its key's entry); under the caller's lock of {@code e}. */
    void remove(Entry e) {
        entries.remove(e.key, e);
    }

    /**
     * Null when every resource tracked holds a valid copy at {@code now}, else why not: how many,
     * and each one with the last failure to fetch it, up to {@link Reasons#MAX_LISTED} (then
     * how many more). A pinned resource the upstream answered it has none of (404, 410) does not
     * count: that answer is what the proxy has to give, as for a map the upstream cannot serve.
     */
    String notReadyBecause(Instant now) {
        int total = 0;
        Reasons missing = new Reasons();
        for (Entry e : entries.values()) {
            CachedCopy h = e.held();
            if (!e.pinned && (h == null || !h.signed()) || h == null && e.gone()) {
                continue;
            }
            total++;
            if (h == null || !h.usableAt(now)) {
                missing.add(e.failure() == null ? e.key.target() : e.key.target() + ": " + e.failure());
            }
        }
        return missing.count() == 0 ? null
                : missing.count() + " of " + total + " resources hold no valid copy (" + missing + ")";
    }
}

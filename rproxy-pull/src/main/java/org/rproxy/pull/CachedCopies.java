package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.sign.RollbackRule;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.StoreListener;

/**
 * The pull feed's table of cached copies: one {@link Entry} per key, kept in step with the
 * store the front end serves from (an entry holds a copy exactly while the store does, and an
 * eviction by the store releases it here), the expiry gauges, and the listeners told of each
 * signed copy held for a GET ({@link CopyListeners}). A newer signed copy never gives way to an
 * older one while it is valid.
 *
 * <p>Thread-safe: entries live in a concurrent map, and each is written by one attempt at a time
 * (see {@link Attempts}). The store's listener may run inside {@link #hold} of another entry
 * (its write evicted this copy), so it takes no entry's lock (two such holds would deadlock): it
 * lets go of a copy only if still held ({@link Entry#release}) and takes out only an entry holding
 * nothing, atomically against a hold's {@link EntryTable#link}.
 */
final class CachedCopies {
    private final RepresentationStore<CacheKey> store;
    private final PullMetrics metrics;
    private final EntryTable entries = new EntryTable();
    private final CopyListeners listeners = new CopyListeners();
    private final SignedListing listing = new SignedListing();
    private final RollbackFloors floors = new RollbackFloors();
    private volatile BiConsumer<Entry, Instant> newVersions = (e, created) -> { }; // onNewVersion

    CachedCopies(RepresentationStore<CacheKey> store, PullMetrics metrics) {
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        store.addListener(this::onStoreChange);
    }

    Entry get(CacheKey key) {
        return entries.get(key);
    }

    /** The entry of {@code key}, made (for {@code call}, unpinned) when there is none. */
    Entry getOrAdd(CacheKey key, UpstreamCall call, Instant now) {
        return entries.getOrAdd(key, call, now);
    }

    /** Pins {@code key}: a prefetched target, never forgotten. */
    void pin(CacheKey key, Instant now) {
        entries.pin(key, now);
    }

    boolean contains(CacheKey key) {
        return entries.contains(key);
    }

    Collection<Entry> all() {
        return entries.all();
    }

    /** True when the store still holds {@code key}'s copy (an eviction may have taken it). */
    boolean stored(CacheKey key) {
        return store.get(key) != null;
    }

    /**
     * Called with each signed copy held for a GET target (fetched, revalidated or offered) from
     * now on, and at once with each held already: a listener added while first fetches complete
     * misses none. Under each entry's lock, as {@link #hold} tells, so the copies of one target
     * reach it in the order held; one held meanwhile may reach it twice.
     */
    void addChangeListener(BiConsumer<String, Representation> listener) {
        listeners.addHeld(listener, entries.all());
    }

    /**
     * As {@link #addChangeListener}, each copy told as it was verified: the
     * {@link VerifiedRepresentation} of its identity variant.
     */
    void addVerifiedListener(Consumer<VerifiedRepresentation> listener) {
        listeners.addVerified(listener, entries.all());
    }

    /** Sets what is told (under the entry's lock; returns at once) of each new version pulled: another body, not a renewal. */
    void onNewVersion(BiConsumer<Entry, Instant> told) {
        newVersions = requireNonNull(told, "told");
    }

    /** The GET targets for which a signed copy is held now (a snapshot). */
    Set<String> heldSignedTargets() {
        return entries.all().stream().filter(e -> CopyListeners.toldOf(e, e.held())).map(e -> e.key.target())
                .collect(Collectors.toSet());
    }

    /**
     * Holds {@code h} for {@code e}'s key and puts it in the store, and tells the listeners of a
     * signed GET; null, holding nothing, when the copy held is a signed one created after it.
     * Atomic per entry: a copy pulled and one pushed at the same moment are held, and told to the
     * listeners (the update stream), in the order of their signing, never the newer first. An
     * {@code e} taken out since it was found is put back, or the key's entry made since holds it.
     *
     * @return the entry now holding {@code h}, or null
     */
    Entry hold(Entry e, CachedCopy h) {
        return hold(e, h, true);
    }

    /** @param pulled whether {@code h} was fetched here (not offered), so a new version is told ({@link #onNewVersion}) */
    private Entry hold(Entry e, CachedCopy h, boolean pulled) {
        for (Entry at = e, live; ; at = live) { // never two entries' locks at once
            synchronized (at) {
                CachedCopy before = at.held();
                if (!newer(h, before) || belowFloor(at.key, h)) {
                    return null;
                }
                live = entries.link(at, h);
                if (live == at) {
                    // Entry first, then the store: an immediate eviction then finds and releases it.
                    if (CopyListeners.toldOf(at, h)) {
                        floors.raise(at.key.target(), h.identity().created(), h.expires(), h.identity().fetchedAt());
                    }
                    store.put(at.key, h.base());
                    showHeld(at.key);
                    if (CopyListeners.toldOf(at, h) && at.held() == h) {
                        listeners.held(at, h);
                        if (pulled && before != null && before.signed() && !before.sameBody(h)) {
                            newVersions.accept(at, h.identity().created());
                        }
                    }
                    return at;
                }
            }
        }
    }

    /**
     * True when {@code h} is a signed copy for a GET created before the newest signing verified for
     * it and unexpired ({@link RollbackFloors}): a rollback, whichever way it came (pulled, pushed
     * or seeded), once the newer copy is no longer held.
     */
    private boolean belowFloor(CacheKey key, CachedCopy h) {
        if (!key.isGet() || !h.signed()) {
            return false;
        }
        Instant floor = floors.floor(key.target(), h.identity().fetchedAt());
        return floor != null && h.identity().created().isBefore(floor);
    }

    /**
     * Holds {@code copy}, verified elsewhere (the push feed, a bundle), for a GET of its target
     * exactly as if an attempt had fetched it now. Refused (false) when expired, or when the copy held is
     * signed, newer by {@code created} and valid: a late or replayed version never replaces a newer
     * one; nor one older than a newer copy let go ({@link RollbackFloors}). Such a refusal of a target
     * not tracked leaves it untracked: an entry holding nothing would be taken for tracked, yet
     * never fetched by a refresher pass. Each variant is held with its own signature's validity
     * ({@link OfferedCopy}).
     */
    boolean offer(VerifiedRepresentation copy, String viaEntry, Instant now) {
        if (!now.isBefore(copy.representation().expires())) {
            return false;
        }
        CachedCopy h = OfferedCopy.of(copy, viaEntry, now);
        CacheKey key = CacheKey.get(copy.target());
        if (!entries.contains(key) && belowFloor(key, h)) {
            return false;
        }
        Entry held = hold(getOrAdd(key, UpstreamCall.PLAIN_GET, now), h, false);
        if (held == null) {
            return false;
        }
        held.succeeded();
        return true;
    }

    /**
     * False when {@code current} is signed, created after {@code candidate} and valid when it came
     * ({@link RollbackRule}).
     */
    static boolean newer(CachedCopy candidate, CachedCopy current) {
        return current == null || !current.signed() || !candidate.signed()
                || !RollbackRule.refuses(candidate.identity().created(), current.identity().created(),
                        current.expires(), candidate.identity().fetchedAt());
    }

    /**
     * The newest signing verified for {@code key} (a GET) and unexpired at {@code now}, kept after
     * its copy is gone ({@link RollbackFloors}), or null. A lookup.
     */
    Instant rollbackFloor(CacheKey key, Instant now) {
        return key.isGet() ? floors.floor(key.target(), now) : null;
    }

    /** The signed copy held for a GET of {@code target} and usable at {@code now}, or null. A lookup. */
    Representation heldSigned(String target, Instant now) {
        Entry e = entries.get(CacheKey.get(target));
        CachedCopy h = e == null ? null : e.held();
        return h != null && h.signed() && h.usableAt(now) ? h.base() : null;
    }

    /**
     * True when {@code h}, the copy {@code e} holds (as the caller read it), is a signed copy for a
     * GET, usable at {@code now}, that the signed directory held lists (or that is that
     * directory): the upstream's 404 or 410 for it does not remove it ({@link SignedListing}). A
     * lookup, reading a new directory once.
     */
    boolean vouchedFor(Entry e, CachedCopy h, Instant now) {
        return e.key.isGet() && h != null && h.signed() && h.usableAt(now)
                && listing.lists(e.key.target(), heldSigned(AnswerEngine.DIRECTORY, now));
    }

    /** Adds a listener told of each GET target the upstream answered it has no more (see {@link #gone}). */
    void addGoneListener(Consumer<String> listener) {
        listeners.addGone(listener);
    }

    /**
     * The upstream answered {@code 404} or {@code 410} for {@code e}, a GET target tracked here,
     * while it held {@code expected} (null: nothing): drops that ({@link #forget}) and tells the
     * gone listeners, on this thread. Nothing of this when {@code e} holds another copy by now
     * (offered since): the answer was not about that one.
     *
     * @return false when a copy held since stays, or the entry was taken out already
     */
    boolean gone(Entry e, CachedCopy expected) {
        if (!forget(e, expected)) {
            return false;
        }
        listeners.gone(e.key.target());
        return true;
    }

    /**
     * Drops {@code expected}, the copy the caller read from {@code e} and decided to let go of
     * (null: it held nothing), and the entry itself unless it is pinned: compare-and-remove. When
     * {@code e} holds another copy by now (an offer or a fetch held it after the caller's read),
     * nothing is dropped: the decision was about a copy that is gone. Under the entry's lock,
     * store first: a hold into {@code e} meanwhile waits and then puts it back; one into an entry
     * made once {@code e} is out comes after the store's removal, so its copy stays. An entry
     * already taken out holds nothing: nothing to do (and no gone listener is told twice).
     *
     * @return false when {@code e} held another copy than {@code expected}, which stays, or was out already
     */
    boolean forget(Entry e, CachedCopy expected) {
        synchronized (e) {
            if (entries.get(e.key) != e) {
                return false;
            }
            CachedCopy h = e.held();
            if (h != expected) {
                return false;
            }
            if (h != null) {
                store.remove(e.key); // its listener lets go of h, and takes e out unless pinned
                e.release(h.base()); // when the store had let go of it already
            }
            if (!e.pinned) {
                entries.remove(e);
            }
            showHeld(e.key);
            return true;
        }
    }

    /**
     * Null when every resource tracked holds a valid copy at {@code now}, else why not
     * ({@link EntryTable#notReadyBecause}).
     */
    String notReadyBecause(Instant now) {
        return entries.notReadyBecause(now);
    }

    private void onStoreChange(CacheKey key, Representation r, StoreListener.Change change) {
        if (change == StoreListener.Change.STORED) {
            return;
        }
        Entry e = entries.get(key);
        if (e == null || !e.release(r)) {
            return;
        }
        entries.takeOutIfEmpty(e); // a hold since keeps it (EntryTable.link)
        showHeld(key);
    }

    /** Shows on {@code key}'s gauges what its entry holds, read under their lock ({@link PullMetrics#show}). */
    private void showHeld(CacheKey key) {
        if (key.isGet()) {
            metrics.show(key.target(), () -> entries.heldSigned(key));
        }
    }
}

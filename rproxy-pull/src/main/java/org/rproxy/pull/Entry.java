package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;

import org.rproxy.core.store.AgeStamp;
import org.rproxy.core.store.Representation;

/**
 * The pull feed's bookkeeping for one key: what is held, when it was last asked for, when the
 * upstream was last tried and whether that failed. Small (the bodies live in the store); exists
 * while the store holds the key, or for as long as the key is pinned (prefetched).
 *
 * <p>Fields are volatile and written by one fetch at a time per key (the feed's in-flight map
 * guarantees it) and by request threads ({@link #touch}); readers tolerate a slightly old view.
 * The copy held is set under the entry's lock ({@link CachedCopies#hold}) and let go of by the
 * store's listener without it, so only if it is still the copy the store let go of
 * ({@link #release}: compare-and-set).
 */
final class Entry {
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(Entry.class, "held", CachedCopy.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final CacheKey key;
    final UpstreamCall call;
    final boolean pinned;
    private volatile CachedCopy held;
    private volatile Instant lastAccess;
    private volatile Instant lastAttempt;
    private volatile Instant failedAt;
    /** Until when, after a failed attempt, the upstream is not asked about this key ({@link RetryPause}). */
    private volatile Instant retryAt;
    private volatile String failure;
    private volatile int failureStatus;
    /** Failed attempts since the last that succeeded ({@link RetryPause}: each pause longer). */
    private volatile int failures;
    private volatile boolean gone;
    private volatile boolean disputed;
    /** A revalidation was asked for while the entry was not due: the first refresher pass once it is makes it. */
    private volatile boolean revalidationOwed;
    /** The upstream whose 404 or 410 the held copy outlived, while {@link #disputed}. */
    private volatile String disputedBy;
    /** The held copy as it goes out during the current second. */
    private final AgeStamp<CachedCopy> stamp = new AgeStamp<>(CachedCopy::withAge);

    Entry(CacheKey key, UpstreamCall call, boolean pinned, Instant now) {
        this.key = requireNonNull(key, "key");
        this.call = requireNonNull(call, "call");
        this.pinned = pinned;
        this.lastAccess = now;
    }

    CachedCopy held() {
        return held;
    }

    void hold(CachedCopy h) {
        held = h;
        stamp.forget(); // the copy it stamped is replaced: its bodies must not stay reachable from here
    }

    void touch(Instant now) {
        lastAccess = now;
    }

    Instant lastAccess() {
        return lastAccess;
    }

    void attempted(Instant now) {
        lastAttempt = now;
    }

    Instant lastAttempt() {
        return lastAttempt;
    }

    /**
     * Sets or clears the revalidation owed: one asked for ({@link Refresher#revalidateNow}) within
     * {@code min-interval} of the last attempt, or of a failure, is made once the entry is due.
     * However many were asked meanwhile, it is one.
     */
    void revalidationOwed(boolean owed) {
        revalidationOwed = owed;
    }

    /** Whether a revalidation is owed (see {@link #revalidationOwed(boolean)}). */
    boolean revalidationOwed() {
        return revalidationOwed;
    }

    void succeeded() {
        failures = 0;
        failedAt = null;
        retryAt = null;
        failure = null;
        gone = false;
        disputed = false;
    }

    /**
     * Notes a failed attempt, after which the upstream is not asked about the key before
     * {@code retryAt}. The upstream's last answer that it has no such resource stands
     * ({@link #gone()} stays): an outage does not make a resource it answered for missing again.
     */
    void failed(Instant now, Instant retryAt, int status, String reason) {
        failures = failures + 1; // one fetch at a time per key writes it
        failedAt = now;
        this.retryAt = retryAt;
        failureStatus = status;
        failure = reason;
    }

    /**
     * Notes that the upstream answered {@code status} (404 or 410) for a pinned key: it has no
     * such resource. Counts as a failure for the retry interval.
     */
    void gone(Instant now, Instant retryAt, int status) {
        failed(now, retryAt, status, "upstream answered " + status);
        gone = true;
        disputed = false;
    }

    /**
     * Notes that the upstream answered {@code status} (404 or 410) for a key whose valid signed
     * copy the signed directory held still vouches for ({@link SignedListing}): a failure, and
     * the copy stays.
     */
    void disputed(Instant now, Instant retryAt, int status, String upstream) {
        failed(now, retryAt, status, "upstream answered " + status + " for a resource the origin's signed directory lists");
        disputedBy = upstream;
        disputed = true;
    }

    /** True when the upstream's last answer was a 404 or 410 the held copy outlived (see {@link #disputed(Instant, Instant, int, String)}). */
    boolean disputed() {
        return disputed;
    }

    /** The upstream that answered so, while {@link #disputed()}, for logs. */
    String disputedBy() {
        return disputedBy;
    }

    /** True when the upstream's last answer was that it has no such resource (see {@link #gone(Instant, Instant, int)}). */
    boolean gone() {
        return gone;
    }

    Instant failedAt() {
        return failedAt;
    }

    /** Failed attempts in a row: since the last one that succeeded, or since the entry was made. */
    int failures() {
        return failures;
    }

    /** Until when the upstream is not asked about this key after its last failed attempt, or null. */
    Instant retryAt() {
        return retryAt;
    }

    String failure() {
        return failure;
    }

    int failureStatus() {
        return failureStatus;
    }

    /**
     * The held copy as it goes out now. Rebuilt at most once a second per copy, so a hit costs no
     * allocation proportional to the body.
     */
    Representation stamped(CachedCopy h, Instant now) {
        return stamp.at(h, h.ageAt(now));
    }

    /**
     * Forgets the held copy when it is the one stored as {@code r} (the store let it go); a copy
     * held since stays, even one held between this method's read and its write.
     *
     * @return true when it let go of the copy
     */
    boolean release(Representation r) {
        CachedCopy h = held;
        if (h == null || h.base() != r || !HELD.compareAndSet(this, h, null)) {
            return false;
        }
        stamp.forget();
        return true;
    }

    /**
     * True when the upstream's {@code status}, a 4xx other than 404 and 410 (which have rules of
     * their own), for this entry's GET leaves {@code h}, the copy it holds, to its clients: a
     * signed copy, valid at {@code now}. The upstream is not trusted; its refusal to answer (403,
     * 429 ...) is a failure like a 5xx, not a word on the document.
     */
    boolean outlives(CachedCopy h, int status, Instant now) {
        return key.isGet() && status >= 400 && status <= 499 && status != 404 && status != 410
                && h != null && h.signed() && h.usableAt(now);
    }
}

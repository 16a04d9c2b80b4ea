package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys with no entry whose last upstream attempt failed (unreachable, timed out, a {@code 5xx},
 * an answer refused), each for a {@link RetryPause} after the failure (longer at each failure in
 * a row, at most {@code refresh.retry}; a run ends when no failure follows within
 * {@code refresh.retry} of the last pause): what an {@link Entry}'s
 * failure time is for a key tracked ({@link Refresher#recentlyFailed}). A failed attempt leaves
 * no entry, since clients choose the targets of misses; without this, a crowd asking a cold proxy
 * for one target while its upstream fails sent the upstream one request per request (one at a
 * time, the attempts being shared), and the next request after each failure started another.
 *
 * <p>Bounded at {@link #MAX_KEYS}: when full, failures past their interval go first, and while
 * none has passed a new key is not remembered (merely asked for again). A lookup is a map read,
 * fit for event loops (no cache maintenance runs on the reader); time from the injected clock.
 * Thread-safe.
 */
final class FailedMisses {
    /** The most keys remembered. */
    static final int MAX_KEYS = 10_000;

    /** A failure, when it stops being answered, and how many failures in a row it ends. */
    private record Failure(FetchResult.Failed failed, Instant until, int inARow) {
    }

    private final RetryPause pause;
    private final Clock clock;
    private final ConcurrentHashMap<CacheKey, Failure> failures = new ConcurrentHashMap<>();

    FailedMisses(RetryPause pause, Clock clock) {
        this.pause = requireNonNull(pause, "pause");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The failure of {@code key}'s last attempt within the interval, or null. A lookup. */
    FetchResult.Failed recent(CacheKey key) {
        Failure f = failures.get(key);
        if (f == null) {
            return null;
        }
        Instant now = clock.instant();
        if (!now.isBefore(f.until())) {
            if (lapsed(f, now)) {
                failures.remove(key, f);
            }
            return null; // kept a while longer: a failure soon after it continues its run
        }
        return f.failed();
    }

    /** Notes that an attempt for {@code key}, which has no entry, failed so. */
    void failed(CacheKey key, FetchResult.Failed f) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_KEYS && !failures.containsKey(key)) {
            failures.values().removeIf(old -> !now.isBefore(old.until()));
            if (failures.size() >= MAX_KEYS) {
                return;
            }
        }
        Failure last = failures.get(key);
        int before = last == null || lapsed(last, now) ? 0 : last.inARow();
        failures.put(key, new Failure(f, pause.after(now, before), before + 1));
    }

    /**
     * True when a failure's run is over: no failure followed within {@code refresh.retry} of its
     * pause's end, so the next one starts a run of its own ({@link RetryPause}).
     */
    private boolean lapsed(Failure f, Instant now) {
        return !now.isBefore(f.until().plus(pause.longest()));
    }

    /** Forgets {@code key}'s failure: an attempt for it brought an answer. */
    void forget(CacheKey key) {
        if (!failures.isEmpty()) {
            failures.remove(key);
        }
    }

    /** How many keys are remembered (tests). */
    int size() {
        return failures.size();
    }
}

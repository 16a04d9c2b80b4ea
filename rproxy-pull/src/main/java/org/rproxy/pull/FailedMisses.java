package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The keys with no entry whose last upstream attempt failed (unreachable, timed out, a {@code 5xx},
 * an answer refused), each for {@code refresh.retry} after the failure: what an {@link Entry}'s
 * failure time is for a key tracked ({@link Refresher#recentlyFailed}). A failed attempt leaves
 * no entry, since clients choose the targets of misses; without this, a crowd asking a cold proxy
 * for one target while its upstream fails sent the upstream one request per request (one at a
 * time, the attempts being shared), and the next request after each failure started another.
 *
 * <p>Bounded in count (Caffeine, least recently used out first; a key forgotten early is merely
 * asked for again); forgetting is by time only, from the injected clock. Thread-safe.
 */
final class FailedMisses {
    /** The most keys remembered. */
    static final int MAX_KEYS = 10_000;

    private final Cache<CacheKey, FetchResult.Failed> failed;

    FailedMisses(Duration retry, Clock clock) {
        requireNonNull(clock, "clock");
        this.failed = Caffeine.newBuilder()
                .expireAfterWrite(requireNonNull(retry, "retry"))
                .maximumSize(MAX_KEYS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
    }

    /** The failure of {@code key}'s last attempt within the interval, or null. A lookup. */
    FetchResult.Failed recent(CacheKey key) {
        return failed.getIfPresent(key);
    }

    /** Notes that an attempt for {@code key}, which has no entry, failed so. */
    void failed(CacheKey key, FetchResult.Failed f) {
        failed.put(key, f);
    }

    /** Forgets {@code key}'s failure: an attempt for it brought an answer. */
    void forget(CacheKey key) {
        failed.invalidate(key);
    }
}

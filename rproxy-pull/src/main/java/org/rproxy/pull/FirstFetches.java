package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

import org.rproxy.core.concurrent.Backoff;

/**
 * The first fetches that keep a pull proxy's local answers unready: the directory's, and those of
 * the maps it lists. Each target is fetched unless the feed tracks it already. A first fetch that
 * got no answer (refused, timed out: not an error the upstream answered, nor a copy refused as
 * badly signed) is tried again after a {@link Backoff} (about 1, 2, 4 ... 30 s, jittered) until
 * the answers are warm, and stays pending meanwhile: a proxy that reported ready then would
 * forward every query its crowd sends until a query happened to fetch the map. A target the feed
 * tracks already (the directory, which it always prefetches) but holds no copy of is pending the
 * same way, and looked at again after the same backoff, until a copy is held or the upstream
 * answered that it has none (404, 410: an answer, as for an untracked target). One chain of
 * attempts per target at a time. Thread-safe; never blocks.
 */
final class FirstFetches {
    /** The first wait before a first fetch that got no answer is tried again, and the longest. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private final PullFeed feed;
    private final BiConsumer<Duration, Runnable> later;
    private final DoubleSupplier jitter;
    private final BooleanSupplier warm;
    /** The targets whose chain of attempts is under way or waits, with its backoff. */
    private final Map<String, Backoff> retrying = new ConcurrentHashMap<>();

    /**
     * @param later  runs a task after a delay (see {@link CurrentAnswers}); may throw
     *               {@link RejectedExecutionException} once the proxy is stopping
     * @param jitter draws in {@code [0, 1)} for the backoff
     * @param warm   true once the answers are warm: no first fetch is pending any more
     */
    FirstFetches(PullFeed feed, BiConsumer<Duration, Runnable> later, DoubleSupplier jitter, BooleanSupplier warm) {
        this.feed = requireNonNull(feed, "feed");
        this.later = requireNonNull(later, "later");
        this.jitter = requireNonNull(jitter, "jitter");
        this.warm = requireNonNull(warm, "warm");
    }

    /** Starts the first fetch of {@code target} unless a chain for it is under way. */
    void track(String target) {
        Backoff backoff = new Backoff(FIRST_RETRY, LONGEST_RETRY, jitter);
        if (retrying.putIfAbsent(target, backoff) == null) {
            fetch(target, backoff);
        }
    }

    /**
     * True while {@code target} is being fetched, or tried again, and no copy of it is held (a
     * revalidation does not count). A lookup.
     */
    boolean pending(String target) {
        return (feed.fetching(target) || retrying.containsKey(target)) && feed.heldSigned(target) == null
                && !feed.gone(target);
    }

    private void fetch(String target, Backoff backoff) {
        if (warm.getAsBoolean() || feed.heldSigned(target) != null || feed.gone(target)) {
            retrying.remove(target, backoff);
            return;
        }
        CompletableFuture<FetchResult> attempt = feed.track(target);
        if (attempt == null) {
            // Tracked already, by an attempt of the feed's own (the refresher's first pass may
            // not have started yet) or one a request started, yet not held: still pending.
            again(target, backoff);
            return;
        }
        attempt.thenAccept(r -> {
            if (r instanceof FetchResult.Failed f && !f.rejected() && !warm.getAsBoolean()
                    && feed.heldSigned(target) == null) {
                again(target, backoff);
            } else {
                retrying.remove(target, backoff);
            }
        });
    }

    private void again(String target, Backoff backoff) {
        try {
            later.accept(Duration.ofMillis(backoff.nextDelayMillis()), () -> fetch(target, backoff));
        } catch (RejectedExecutionException stopping) {
            retrying.remove(target, backoff);
        }
    }
}

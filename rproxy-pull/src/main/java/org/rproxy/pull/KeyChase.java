package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks for the directory again when an upstream answer was refused only because its signing key
 * is unknown here, so that the answer can be verified again with the keys that directory lists.
 * In the middle of a key rotation (docs/origin.md, after step 2) every document but the directory
 * is signed by a key only the directory teaches a proxy configured with the old one; a proxy
 * whose first fetch of the directory failed (the upstream away or answering 5xx for a moment)
 * refused every document until its next directory refresh. The directory learnt from is verified
 * as any is, with the keys trusted already, so an upstream can teach no key this way that the
 * rotation would not.
 *
 * <p>Every refused answer waiting at once shares one directory attempt (joined when the feed has
 * one under way for another reason). A new one starts at most once per {@link #INTERVAL}: an
 * upstream answering everything with an unknown key (hostile, or an origin whose key this proxy
 * was never told) costs at most that many directory fetches, and its answers are refused as
 * before in between. The wait is that one attempt, which the upstream's timeouts bound; no thread
 * waits for it. Thread-safe.
 */
final class KeyChase {
    static final CacheKey DIRECTORY = CacheKey.get(UpstreamParts.DIRECTORY);
    /** The least time between two directory attempts started here. */
    static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(KeyChase.class);

    private final Clock clock;
    private final Supplier<? extends CompletableFuture<?>> directory;
    /** The attempt under way, or the last one; guarded by this. */
    private CompletableFuture<Void> running;
    /** When the last attempt was started here, or null; guarded by this. */
    private Instant started;

    /**
     * @param directory starts an attempt for the directory (or joins the one under way), which
     *                  has taught the key set what it lists when it completes
     */
    KeyChase(Clock clock, Supplier<? extends CompletableFuture<?>> directory) {
        this.clock = requireNonNull(clock, "clock");
        this.directory = requireNonNull(directory, "directory");
    }

    /**
     * What {@code again}, a verification of an answer refused for its unknown key, makes of it
     * once the directory has been asked for (at once when {@code keysChanged}: the keys trusted
     * changed since it was judged), on {@code work}'s threads; or {@code refused}, on this thread,
     * when no directory attempt may start now or the answer's {@code bytes} would pass the work
     * pool's bound while they wait (they are weighed as held there, {@link WorkPool#holdBody}).
     */
    <T> CompletableFuture<T> verifyAgain(boolean keysChanged, long bytes, Verifications work, Supplier<T> again,
                                         Supplier<T> refused) {
        CompletableFuture<Void> learnt = keysChanged ? CompletableFuture.completedFuture(null) : directoryAgain();
        if (learnt == null || work.holdBody(bytes) >= 0) {
            return CompletableFuture.completedFuture(refused.get());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        learnt.whenComplete((v, x) -> {
            work.giveBack(bytes); // weighed again as it is verified
            try {
                work.verify(bytes, again, result);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Completes, however the directory's attempt ended, once it has ended; null when none may
     * start now (one started within {@link #INTERVAL}).
     */
    private CompletableFuture<Void> directoryAgain() {
        CompletableFuture<Void> mine;
        synchronized (this) {
            if (running != null && !running.isDone()) {
                return running;
            }
            Instant now = clock.instant();
            // a clock stepped back since (before the last start) does not hold the next one back for as long
            if (started != null && !now.isBefore(started) && now.isBefore(started.plus(INTERVAL))) {
                return null;
            }
            started = now;
            mine = new CompletableFuture<>();
            running = mine;
        }
        LOG.debug("an upstream answer is signed by an unknown key: asking for the directory again");
        try {
            // started outside the lock: it may end at once, on this thread
            directory.get().whenComplete((r, x) -> mine.complete(null));
        } catch (RuntimeException e) {
            LOG.debug("asking for the directory again failed", e);
            mine.complete(null);
        }
        return mine;
    }
}

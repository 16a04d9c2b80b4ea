package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The push feed's going back to a preferred upstream ({@link FeedConnection#backTo}): one
 * {@link StreamTrial} at a time, beside the working stream. Its outcome goes to {@link
 * UpstreamChoice}: a trial that proved itself is handed to the connection to take the working
 * stream's place ({@link UpstreamChoice#returnHeld}); one that failed leaves the working stream
 * as it is, and its upstream sits out rounds of health checks ({@link
 * UpstreamChoice#returnFailed}); one abandoned (the working stream was lost meanwhile, or the
 * feed closes) is neither.
 *
 * <p>Not thread-safe: runs on the feed's own thread.
 */
final class FeedReturn {

    private final FeedParts parts;
    private final UpstreamChoice upstreams;
    private final Runnable opened;
    private final Consumer<StreamTrial> adopt;
    private StreamTrial trial;
    /** A reconnect of the working stream held while the trial runs ({@link #whenIdle}), or null. */
    private Runnable held;
    /** Reconnects {@link #later} whose turn has not come yet; read from any thread. */
    private final AtomicLong waiting = new AtomicLong();

    /**
     * @param opened told of each trial's stream opened (a subscription like any other)
     * @param adopt  given the trial that proved itself, to take the working stream's place
     */
    FeedReturn(FeedParts parts, Runnable opened, Consumer<StreamTrial> adopt) {
        this.parts = requireNonNull(parts, "parts");
        this.upstreams = parts.upstreams();
        this.opened = requireNonNull(opened, "opened");
        this.adopt = requireNonNull(adopt, "adopt");
    }

    /** Tries upstream {@code preferred}'s stream, unless a trial runs already. */
    void backTo(int preferred) {
        if (trial != null) {
            return;
        }
        trial = new StreamTrial(preferred, upstreams.get(preferred), parts, new StreamTrial.Owner() {
                    @Override
                    public void proved(StreamTrial t) {
                        if (t != trial) {
                            t.abandon();
                            return;
                        }
                        trial = null;
                        held = null; // the trial's stream takes the place of the one it would reconnect
                        adopt.accept(t);
                    }

                    @Override
                    public void failed(StreamTrial t, String why) {
                        if (t == trial) {
                            trial = null;
                            upstreams.returnFailed(t.index(), why);
                            Runnable reconnect = held;
                            held = null;
                            if (reconnect != null) {
                                reconnect.run();
                            }
                        }
                    }
                });
        trial.start(opened);
    }

    /**
     * Runs {@code reconnect} (of the working stream, lost and waiting out its backoff) now, or,
     * while a trial runs, once it has failed: there is no working stream to keep meanwhile, and
     * one opened now would be closed again should the trial prove itself. Not run when the trial
     * proves itself (its stream takes the place) or is abandoned.
     */
    void whenIdle(Runnable reconnect) {
        if (trial == null) {
            reconnect.run();
        } else {
            held = reconnect;
        }
    }

    /**
     * Runs {@code reconnect} as {@link #whenIdle} does, on the feed's thread after
     * {@code delayMillis} (a lost stream's backoff). Counted until its turn has come and gone, so
     * that one dropped (a preferred upstream's stream took the lost one's place) can be seen.
     */
    void later(long delayMillis, Runnable reconnect) {
        waiting.incrementAndGet();
        try {
            parts.thread().schedule(() -> {
                try {
                    whenIdle(reconnect);
                } finally {
                    waiting.decrementAndGet();
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet(); // closing
        }
    }

    /** Reconnects {@link #later} whose turn has not come yet (any thread). */
    long waiting() {
        return waiting.get();
    }

    /** Gives up the trial running, if any, recording no outcome, and any reconnect it held. */
    void abandon() {
        held = null;
        if (trial != null) {
            trial.abandon();
            trial = null;
            upstreams.returnAbandoned();
        }
    }
}

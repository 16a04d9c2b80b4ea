package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's sending: pumps a subscriber's window ({@link Subscription#pump}), closes a
 * stream whose sending fails, looks again shortly at subscribers whose window is below their
 * sink's (the sink will not call back when they drain), and disconnects those that leave their
 * window full for the stall timeout.
 *
 * <p>Confined to the publisher's thread, which is also the one it schedules its looks on.
 */
final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final long WAITING_POLL_MILLIS = 10;

    private final ScheduledExecutorService thread;
    private final Function<String, Track> tracks;
    private final Duration stallTimeout;
    private final LongSupplier nanoTime;
    /** Subscribers blocked by a window smaller than their sink's. */
    private final Set<Subscription> waiting = new HashSet<>();
    private final AtomicLong disconnected = new AtomicLong();
    private ScheduledFuture<?> waitingPoll;

    /**
     * @param tracks   a document by request target, or a query answer by its key
     * @param nanoTime the publisher's clock ({@code System::nanoTime}; a test moves its own)
     */
    Delivery(ScheduledExecutorService thread, Function<String, Track> tracks, Duration stallTimeout,
             LongSupplier nanoTime) {
        this.thread = requireNonNull(thread, "thread");
        this.tracks = requireNonNull(tracks, "tracks");
        this.stallTimeout = requireNonNull(stallTimeout, "stallTimeout");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /** The publisher's clock now, in nanoseconds (only differences mean anything). */
    long now() {
        return nanoTime.getAsLong();
    }

    void pumpAll(Collection<Subscription> all) {
        for (Subscription s : new ArrayList<>(all)) {
            pump(s);
        }
    }

    void pump(Subscription s) {
        try {
            s.pump(tracks, now());
        } catch (RuntimeException e) {
            LOG.warn("update stream {} failed; closing it", s.token, e);
            s.close();
        }
        if (s.waitsUnsignalled()) {
            waiting.add(s);
            pollWaiting();
        } else {
            waiting.remove(s);
        }
    }

    /** {@code s} has gone: no more looks at it. */
    void forget(Subscription s) {
        waiting.remove(s);
    }

    long disconnected() {
        return disconnected.get();
    }

    private void pollWaiting() {
        if (waitingPoll != null) {
            return;
        }
        try {
            waitingPoll = thread.schedule(this::pumpWaiting, WAITING_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void pumpWaiting() {
        waitingPoll = null;
        List<Subscription> again = new ArrayList<>(waiting);
        waiting.clear();
        again.forEach(this::pump);
    }

    /**
     * Disconnects the subscribers of {@code all} stalled for the stall timeout, and hands
     * {@code gone} those whose connection went before their stream could start.
     */
    void disconnectStalled(Collection<Subscription> all, Consumer<Subscription> gone) {
        long since = now() - stallTimeout.toNanos();
        Set<Subscription> stalled = new HashSet<>();
        for (Subscription s : new ArrayList<>(all)) {
            if (s.stalledSince(since)) {
                stalled.add(s);
            } else if (!s.attached() && s.createdNanos < since) {
                gone.accept(s);
            }
        }
        for (Subscription s : stalled) {
            disconnected.incrementAndGet();
            LOG.info("update stream subscriber stalled for {}; disconnected", stallTimeout);
            s.close();
        }
    }
}

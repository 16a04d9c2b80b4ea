package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's sending: pumps a subscriber's window ({@link Subscription#pump}), closes a
 * stream whose sending fails, looks again shortly at subscribers whose window is below their
 * sink's (the sink will not call back when they drain), and disconnects those that leave their
 * window full for the stall timeout. Every byte it sends counts in the node's
 * {@link PendingBudget} until its sink says it was written; subscribers that find the budget full
 * wait their turn, first come first served, and are pumped again once it has drained to half.
 *
 * <p>Confined to the publisher's thread, which is also the one it schedules its looks on, but for
 * the budget's drain callbacks, which come on the event loops and hand the pumping over.
 */
final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final long WAITING_POLL_MILLIS = 10;

    private final ScheduledExecutorService thread;
    private final Function<String, Track> tracks;
    private final BiConsumer<Subscription, Substream> untravelled;
    private final Duration stallTimeout;
    private final LongSupplier nanoTime;
    /** Subscribers blocked by a window smaller than their sink's. */
    private final Set<Subscription> waiting = new HashSet<>();
    private final AtomicLong disconnected = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    /** Subscribers waiting for the node's bound on pending bytes, in the order they came to it. */
    private final Set<Subscription> budgetWaiting = new LinkedHashSet<>();
    private final PendingBudget budget;
    private final StallLog stalls;
    private ScheduledFuture<?> waitingPoll;

    /**
     * @param tracks          a document by request target, or a query answer by its key
     * @param untravelled     stops a substream due a version that cannot travel as event data
     *                        ({@link Subscription#pump}); called on the publisher's thread
     * @param maxPendingBytes the node's bound on bytes sent to subscribers and not yet written
     * @param nanoTime        the publisher's clock ({@code System::nanoTime}; a test moves its own)
     */
    Delivery(ScheduledExecutorService thread, Function<String, Track> tracks,
             BiConsumer<Subscription, Substream> untravelled, Duration stallTimeout, long maxPendingBytes,
             LongSupplier nanoTime) {
        this.thread = requireNonNull(thread, "thread");
        this.budget = new PendingBudget(maxPendingBytes,
                () -> OwnThread.run(thread, this::pumpBudgetWaiting, LOG, "update stream publisher"));
        this.tracks = requireNonNull(tracks, "tracks");
        this.untravelled = requireNonNull(untravelled, "untravelled");
        this.stallTimeout = requireNonNull(stallTimeout, "stallTimeout");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.stalls = new StallLog(stallTimeout, nanoTime);
    }

    /** The publisher's clock now, in nanoseconds (only differences mean anything). */
    long now() {
        return nanoTime.getAsLong();
    }

    /** The node's bound on pending bytes, which every sink's written bytes are told to. */
    PendingBudget budget() {
        return budget;
    }

    /** Pumps every subscriber: first those waiting for the budget, in their order, then the others. */
    void pumpAll(Collection<Subscription> all) {
        pumpBudgetWaiting();
        for (Subscription s : new ArrayList<>(all)) {
            pump(s);
        }
    }

    void pump(Subscription s) {
        try {
            s.pump(tracks, now(), budget, sub -> untravelled.accept(s, sub));
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
        if (s.waitsForBudget()) {
            if (budgetWaiting.add(s)) {
                deferred.incrementAndGet();
            }
            budget.await();
        } else {
            budgetWaiting.remove(s);
        }
    }

    /**
     * Pumps the subscribers waiting for the budget, first come first served, while it has room;
     * one still waiting after its pump goes to the back of the line. Those left waiting are woken
     * by the next drain (the budget's wake, which ran to get here, is armed again).
     */
    private void pumpBudgetWaiting() {
        for (Iterator<Subscription> it = budgetWaiting.iterator(); it.hasNext() && budget.hasRoom(); ) {
            Subscription s = it.next();
            it.remove();
            pump(s); // adds it back, at the end, when it still waits
            it = budgetWaiting.iterator();
        }
        if (!budgetWaiting.isEmpty()) {
            budget.await();
        }
    }

    /** {@code s} has gone: no more looks at it. */
    void forget(Subscription s) {
        waiting.remove(s);
        budgetWaiting.remove(s);
    }

    long disconnected() {
        return disconnected.get();
    }

    /** Times a subscriber began to wait for the node's bound on pending bytes. */
    long deferred() {
        return deferred.get();
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
        long now = now();
        long since = now - stallTimeout.toNanos();
        Map<Subscription, Long> stalled = new HashMap<>();
        for (Subscription s : new ArrayList<>(all)) {
            long stalledFor = s.stalledFor(now);
            if (stalledFor > stallTimeout.toNanos()) {
                stalled.put(s, stalledFor);
            } else if (!s.attached() && s.createdNanos < since) {
                gone.accept(s);
            }
        }
        stalled.forEach((s, stalledFor) -> {
            disconnected.incrementAndGet();
            stalls.disconnected(s, stalledFor);
            s.abort(); // a close would wait behind the bytes it does not read
        });
    }
}

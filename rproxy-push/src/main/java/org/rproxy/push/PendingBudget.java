package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The publisher's node-wide bound on bytes of events handed to subscribers' sinks and not yet
 * through their sockets, all subscribers together ({@link UpdateStreamConfig#maxPendingBytes()}).
 * Each subscriber's window bounds what it holds; this bounds their sum, which the transport holds
 * in direct memory (it copies what waits for a socket off-heap): without it, enough subscribers
 * that never read exhausted that memory, and then writes on every connection of the node failed.
 *
 * <p>A send is made only while fewer than the bound's bytes are pending ({@link #hasRoom}), so at
 * most the bound and one event are. A subscriber that finds no room waits, its versions coalesced
 * to the latest as for a full window of its own; once the pending bytes drain to half the bound,
 * {@code wake} is run (once per wait) to hand the publisher's thread the pumping of those waiting.
 *
 * <p>Sends are counted on the publisher's thread ({@link #sent}), drains on the event loops
 * ({@link #written}). No wake is lost to a drain racing a wait: the waiter sets the flag, then reads
 * the counter again ({@link #await}); a drainer subtracts, then reads the flag. Either the waiter's
 * second read sees the drain, or the drainer sees the flag.
 */
final class PendingBudget {

    private final long max;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean waiting = new AtomicBoolean();
    private final Runnable wake;

    /**
     * @param max  the bound, in bytes
     * @param wake hands the pumping of waiting subscribers to the publisher's thread; called on any
     *             thread, must not block
     */
    PendingBudget(long max, Runnable wake) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
        this.wake = requireNonNull(wake, "wake");
    }

    /** True while a send may be made: fewer than the bound's bytes are pending. */
    boolean hasRoom() {
        return pending.get() < max;
    }

    /** Counts {@code n} bytes about to be handed to a sink; before the send, so its drain cannot come first. */
    void sent(long n) {
        pending.addAndGet(n);
    }

    /** Takes back {@code n} bytes counted by {@link #sent} that the sink refused. */
    void refused(long n) {
        written(n);
    }

    /** {@code n} bytes of a send went through the socket or never will; any thread (the sink's callback). */
    void written(long n) {
        long left = pending.addAndGet(-n);
        if (left <= max / 2 && waiting.get() && waiting.compareAndSet(true, false)) {
            wake.run();
        }
    }

    /**
     * A subscriber found no room and waits: {@code wake} will run once the pending bytes drain to
     * half the bound (at once, when they already have).
     */
    void await() {
        waiting.set(true);
        if (pending.get() <= max / 2 && waiting.compareAndSet(true, false)) {
            wake.run();
        }
    }

    /** The bytes pending now. */
    long pending() {
        return pending.get();
    }

    long max() {
        return max;
    }
}

package org.rproxy.core.server;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes of answers that the transport copies for each response (through TLS, or from the
 * heap) handed to connections and not yet through their sockets, all connections of a server
 * together ({@link FrontEndConfig#maxPendingSendBytes}). A {@link BodyPump} hands such a body on
 * in parts, each only while its connection is writable, so one connection holds at most its
 * write buffer and a part; this bounds their sum, which lives in direct memory: without it, each
 * client that asked for a large map and never read held a whole copy (2.5 MB each for a 2.4 MB
 * map over TLS), and enough of them exhausted the direct memory every connection writes from.
 *
 * <p>A part is sent only while fewer than the bound's bytes are pending ({@link #hasRoom}), so at
 * most the bound and a part per event loop are. A pump that finds no room waits (its answer is
 * not failed); once the pending bytes drain to half the bound every waiter is woken, and each
 * looks again on its own event loop. No wake is lost: a waiter queues itself and then reads the
 * counter again; a drainer subtracts and then empties the queue. Shared by all event loops.
 */
final class NodeSendBudget {

    private final long max;
    private final AtomicLong pending = new AtomicLong();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final LongAdder deferred = new LongAdder();

    NodeSendBudget(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
    }

    /** True while a part may be sent: fewer than the bound's bytes are pending. */
    boolean hasRoom() {
        return pending.get() < max;
    }

    /** Counts {@code n} bytes about to be written; before the write, so that its end cannot come first. */
    void sent(long n) {
        pending.addAndGet(n);
    }

    /** {@code n} bytes counted by {@link #sent} went through the socket, or never will; any thread. */
    void written(long n) {
        if (pending.addAndGet(-n) <= max / 2) {
            wakeAll();
        }
    }

    /**
     * A pump found no room: {@code wake} runs once the pending bytes have drained to half the
     * bound (at once, when they already have). It must not block; it is run on any thread.
     */
    void await(Runnable wake) {
        deferred.increment();
        waiting.add(wake);
        if (pending.get() <= max / 2) {
            wakeAll();
        }
    }

    private void wakeAll() {
        Runnable w;
        while ((w = waiting.poll()) != null) {
            w.run();
        }
    }

    /** The bytes pending now. */
    long pending() {
        return pending.get();
    }

    long max() {
        return max;
    }

    /** The times a pump has waited for room. */
    long deferred() {
        return deferred.sum();
    }
}

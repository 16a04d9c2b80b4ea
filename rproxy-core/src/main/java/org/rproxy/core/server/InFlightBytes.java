package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of one event stream handed to its sink and not through the socket yet, and the
 * writability signal they give ({@link EventStreamWriter}): from a window of bytes on the sink is
 * not writable, and once it was not, the writable callback is due when fewer than half a window
 * are left.
 *
 * <p>Bytes are added on any thread ({@link #add}) and drained on the connection's event loop
 * only ({@link #drained}: one drainer).
 */
final class InFlightBytes {

    private final long window;
    private final AtomicLong bytes = new AtomicLong();
    private final Runnable afterSubtraction;
    private volatile boolean wasUnwritable;

    /** Counts against a window of {@code window} bytes. */
    InFlightBytes(long window) {
        this(window, () -> { });
    }

    /**
     * Runs {@code afterSubtraction} in {@link #drained}, right after its subtraction. A seam for
     * tests only: nothing else runs between the drainer's steps, so a test puts a send there
     * this way ({@code InFlightBytesTest}), where another thread would land only by chance.
     */
    InFlightBytes(long window, Runnable afterSubtraction) {
        this.window = window;
        this.afterSubtraction = requireNonNull(afterSubtraction, "afterSubtraction");
    }

    /** Counts {@code n} bytes handed to the sink; any thread. */
    void add(long n) {
        if (bytes.addAndGet(n) >= window) {
            wasUnwritable = true;
        }
    }

    /** Takes back {@code n} bytes added that will never be written (the event loop refused them). */
    void undo(long n) {
        bytes.addAndGet(-n);
    }

    /**
     * Counts {@code n} bytes through the socket; on the event loop.
     *
     * @return true when the writable callback is due: the sink was not writable and has drained
     */
    boolean drained(long n) {
        long left = bytes.addAndGet(-n);
        afterSubtraction.run();
        if (wasUnwritable && left < window / 2) {
            wasUnwritable = false;
            return true;
        }
        return false;
    }

    /** The bytes in flight now. */
    long get() {
        return bytes.get();
    }

    /** True while fewer than a window of bytes are in flight. */
    boolean belowWindow() {
        return bytes.get() < window;
    }
}

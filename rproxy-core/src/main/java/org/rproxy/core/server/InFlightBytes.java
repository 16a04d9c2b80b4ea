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
 * only ({@link #drained}: one drainer). No signal is lost to a send racing a drain: the counter is
 * atomic and the flag volatile, so all their reads and writes fall in one order that keeps each
 * thread's own. A sender adds, then sets the flag; the drainer, ending an episode, clears the flag
 * and then reads the counter again. A send whose flag came before the clear (and would be wiped
 * by it) had added before that read, and only the drainer takes bytes off (but for {@link #undo},
 * once the loop is gone): the read sees them, and if they fill the window the drainer sets the
 * flag back and gives no signal (its pump would find no room), leaving it to the drain of those
 * bytes. A send whose flag came after the clear stands on its own.
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
        if (!wasUnwritable || left >= window / 2) {
            return false;
        }
        wasUnwritable = false;
        if (bytes.get() >= window) {
            // a send made it unwritable again since the subtraction, and may have set the flag
            // just before it was cleared: its own drain gives the signal
            wasUnwritable = true;
            return false;
        }
        return true;
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

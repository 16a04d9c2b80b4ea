package org.rproxy.core.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition some other thread makes true, where the code under test offers no event
 * to wait on (a count, a cache entry, a source order): looked at every 10 ms, with a deadline, so
 * a test fails saying what never happened instead of hanging. Not for speed: never assert on how
 * soon the condition held.
 */
public final class Eventually {

    private static final long LOOK_NANOS = 10_000_000;

    private Eventually() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws AssertionError "not within {@code within}: {@code what}" once the deadline passes
     */
    public static void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + what);
            }
            LockSupport.parkNanos(LOOK_NANOS);
        }
    }
}

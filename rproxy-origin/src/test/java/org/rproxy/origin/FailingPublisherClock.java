package org.rproxy.origin;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The system clock, except that its next readings on the origin's publisher thread throw, as
 * many as {@link #fail} says: signing, re-signing or a change of keys failing there, for tests.
 * Readings on any other thread (the front end's) are never touched.
 */
final class FailingPublisherClock extends Clock {
    private final AtomicInteger failures = new AtomicInteger();
    private volatile Supplier<? extends Throwable> failure = () -> new IllegalStateException("simulated: the signer failed");
    /** Counted down at the first reading that throws. */
    final CountDownLatch first = new CountDownLatch(1);
    /** {@link System#nanoTime()} at the first reading that throws. */
    volatile long firstFailedAt;

    /** The next {@code n} readings on the publisher thread throw (0: none; {@link Integer#MAX_VALUE}: until told otherwise). */
    void fail(int n) {
        failures.set(n);
    }

    /** As {@link #fail(int)}, throwing what {@code what} makes (an unchecked exception or an error). */
    void fail(int n, Supplier<? extends Throwable> what) {
        failure = what;
        failures.set(n);
    }

    @Override
    public Instant instant() {
        if (Thread.currentThread().getName().startsWith("rproxy-origin-publisher")
                && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            if (first.getCount() > 0) {
                firstFailedAt = System.nanoTime();
                first.countDown();
            }
            Throwable t = failure.get();
            if (t instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) t;
        }
        return Clock.systemUTC().instant();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}

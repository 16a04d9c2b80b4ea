package org.rproxy.core.concurrent;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next attempt after consecutive failures to reach an upstream (the
 * push feed reconnecting to an update stream; a pull proxy's first fetch of the maps it answers
 * from): {@code initial} doubled on each consecutive failure up to {@code max}, then "equal
 * jitter" (a uniform draw from the upper half), so that the proxies of a tree that lost their
 * upstream together do not come back in lockstep, and a proxy never retries sooner than half the
 * base.
 *
 * <p>The jitter source is injected (a draw in {@code [0, 1)}), so tests can pin it. Not
 * thread-safe: one owner at a time (the push feed's own thread; a pull proxy's retries of one
 * target, which follow each other).
 */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier jitter;
    private int failures;

    public Backoff(Duration initial, Duration max, DoubleSupplier jitter) {
        this.initialMillis = requireNonNull(initial, "initial").toMillis();
        this.maxMillis = requireNonNull(max, "max").toMillis();
        this.jitter = requireNonNull(jitter, "jitter");
        if (initialMillis < 1) {
            throw new IllegalArgumentException("initial: " + initial + " (expected: >= 1ms)");
        }
        if (maxMillis < initialMillis) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= initial, " + initial + ")");
        }
    }

    /** The wait after one more failure, in milliseconds. */
    public long nextDelayMillis() {
        // The shift is capped so that the doubling can never overflow, whatever the failure count.
        long base = Math.min(maxMillis, initialMillis << Math.min(30, failures));
        failures++;
        double draw = jitter.getAsDouble();
        if (!(draw >= 0 && draw < 1)) {
            throw new IllegalStateException("jitter: " + draw + " (expected: in [0, 1))");
        }
        return base - base / 2 + (long) (draw * (base / 2));
    }

    /** An attempt succeeded (a stream opened and was accepted): the next failure starts from {@code initial} again. */
    public void reset() {
        failures = 0;
    }

    /** Consecutive failures since the last {@link #reset}. */
    public int failures() {
        return failures;
    }
}

package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long a key whose upstream attempt failed is not asked about again: {@code refresh.retry},
 * less up to half of it drawn at random per failure, so between half of {@code refresh.retry}
 * and all of it. The operator's {@code refresh.retry} stays the bound (the proxy recovers within
 * one of it after the upstream returns), and a fleet of proxies whose refreshes all failed at
 * once, when their origin went down, drift apart at each failure instead of asking together
 * every {@code refresh.retry}, in step, when it comes back. Thread-safe when the jitter is.
 */
final class RetryPause {
    private final Duration retry;
    private final DoubleSupplier jitter;

    /**
     * @param retry  {@code refresh.retry}, the longest pause
     * @param jitter draws in {@code [0, 1)}: the share of half of {@code retry} left out of a pause
     */
    RetryPause(Duration retry, DoubleSupplier jitter) {
        this.retry = requireNonNull(retry, "retry");
        this.jitter = requireNonNull(jitter, "jitter");
    }

    /** Drawn from {@link ThreadLocalRandom}. */
    static RetryPause random(Duration retry) {
        return new RetryPause(retry, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** When a key whose attempt failed at {@code failedAt} may be asked about again. */
    Instant after(Instant failedAt) {
        double j = Math.min(Math.max(jitter.getAsDouble(), 0), 1);
        long millis = retry.toMillis();
        return failedAt.plusMillis(millis - (long) (millis / 2 * j));
    }
}

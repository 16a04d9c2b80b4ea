package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long a key whose upstream attempt failed is not asked about again: after the first failure
 * in a row at most {@link #FIRST}, doubled at each further one up to {@code refresh.retry}, and
 * each pause drawn at random between half of that bound and all of it. A blip (an upstream
 * restarting) costs the keys it failed a second or two, not a whole {@code refresh.retry}, so an
 * operator may set a long {@code refresh.retry} to spare an upstream that is down for long
 * without making every short outage as long; {@code refresh.retry} stays the bound (the proxy
 * recovers within one of it after the upstream returns). The draw keeps a fleet of proxies whose
 * refreshes all failed at once, when their origin went down, drifting apart at each failure
 * instead of asking together, in step, when it comes back. Thread-safe when the jitter is.
 */
final class RetryPause {
    /**
     * The longest pause after the first failure in a row (or {@code refresh.retry}, when shorter):
     * twice the default {@code refresh.min-interval}, so that its draw is not cut short by the
     * least time between two attempts for one entry.
     */
    static final Duration FIRST = Duration.ofSeconds(2);

    private final Duration retry;
    private final DoubleSupplier jitter;

    /**
     * @param retry  {@code refresh.retry}, the longest pause
     * @param jitter draws in {@code [0, 1)}: the share of half the bound left out of a pause
     */
    RetryPause(Duration retry, DoubleSupplier jitter) {
        this.retry = requireNonNull(retry, "retry");
        this.jitter = requireNonNull(jitter, "jitter");
    }

    /** Drawn from {@link ThreadLocalRandom}. */
    static RetryPause random(Duration retry) {
        return new RetryPause(retry, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@code refresh.retry}: the longest pause. */
    Duration longest() {
        return retry;
    }

    /**
     * When a key whose attempt failed at {@code failedAt}, after {@code before} failures in a row
     * (0: since its last success, or ever), may be asked about again.
     */
    Instant after(Instant failedAt, int before) {
        double j = Math.min(Math.max(jitter.getAsDouble(), 0), 1);
        // the shift is capped so that the doubling never overflows, however long the run
        long bound = Math.min(retry.toMillis(), FIRST.toMillis() << Math.min(30, Math.max(0, before)));
        return failedAt.plusMillis(bound - (long) (bound / 2 * j));
    }
}

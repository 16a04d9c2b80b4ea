package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.rproxy.core.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the origin signs its documents again: at half their validity, and, after a re-signing
 * that failed (whatever it threw), again within seconds: {@value #FIRST_RETRY_SECONDS} s, then
 * twice as long after each failure in a row, at most {@link #maxRetry} (a tenth of the validity,
 * at most {@value #MAX_RETRY_SECONDS} s, at least {@value #FIRST_RETRY_SECONDS} s), so that many
 * tries fit in the half validity left before the documents signed last expire. Waiting the next
 * half validity instead, as a fixed-rate task does, let every document expire after one failure.
 * The first failure of a run is logged as an error with its cause and when the signatures
 * served expire, further ones at debug, and the first success after them at info: one line per
 * change of state, not one per try. A success schedules the next re-signing half a validity on.
 *
 * <p>Runs on the origin's publisher thread (one task at a time), under its {@link TaskGuard}: an
 * error the JVM cannot be trusted after is handed to it, which stops a running node.
 */
final class Resigning {
    private static final Logger log = LoggerFactory.getLogger(Origin.class);

    static final long FIRST_RETRY_SECONDS = 1;
    static final long MAX_RETRY_SECONDS = 60;

    private final ScheduledExecutorService scheduler;
    private final Runnable resign;
    private final Supplier<Instant> expires;
    private final TaskGuard guard;
    private final Duration period;
    private final Duration maxRetry;
    /** Failures in a row since the last success. Publisher thread only. */
    private int failures;
    /** The wait before the next try after a failure. Publisher thread only. */
    private Duration retry = Duration.ofSeconds(FIRST_RETRY_SECONDS);

    /**
     * @param resign  signs every document again; fails by throwing
     * @param expires when the earliest signature served now expires (for the log), or null
     */
    Resigning(ScheduledExecutorService scheduler, Duration validity, Runnable resign, Supplier<Instant> expires,
              TaskGuard guard) {
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.resign = requireNonNull(resign, "resign");
        this.expires = requireNonNull(expires, "expires");
        this.guard = requireNonNull(guard, "guard");
        this.period = Duration.ofSeconds(Math.max(1, validity.toSeconds() / 2));
        this.maxRetry = maxRetry(validity);
    }

    /** The longest wait between tries after a failure, for documents valid for {@code validity}. */
    static Duration maxRetry(Duration validity) {
        long s = Math.min(MAX_RETRY_SECONDS, validity.toSeconds() / 10);
        return Duration.ofSeconds(Math.max(FIRST_RETRY_SECONDS, s));
    }

    /** Schedules the first re-signing, half a validity from now. */
    void start() {
        schedule(period);
    }

    private void schedule(Duration delay) {
        try {
            scheduler.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the origin is closing
        }
    }

    private void run() {
        Duration next;
        try {
            resign.run();
            next = succeeded();
        } catch (Throwable t) {
            if (TaskGuard.isFatal(t)) {
                guard.failed("re-signing", t); // a running node ends here
                next = Duration.ofSeconds(FIRST_RETRY_SECONDS);
            } else {
                next = failed(t);
            }
        }
        schedule(next);
    }

    private Duration succeeded() {
        if (failures > 0) {
            log.info("re-signing succeeded again after {} failed {}; the next is in {}", failures,
                    failures == 1 ? "try" : "tries", Durations.format(period));
        }
        failures = 0;
        retry = Duration.ofSeconds(FIRST_RETRY_SECONDS);
        return period;
    }

    private Duration failed(Throwable t) {
        Duration wait = retry;
        failures++;
        if (failures == 1) {
            log.error("re-signing failed: {}; trying again in {}, then at most every {} until it succeeds (the"
                    + " signatures served now expire at {})", t.toString(), Durations.format(wait),
                    Durations.format(maxRetry), expires.get(), t);
        } else {
            log.debug("re-signing failed again ({} tries in a row): {}; trying again in {}", failures, t.toString(),
                    Durations.format(wait));
        }
        Duration doubled = retry.multipliedBy(2);
        retry = doubled.compareTo(maxRetry) > 0 ? maxRetry : doubled;
        return wait;
    }
}

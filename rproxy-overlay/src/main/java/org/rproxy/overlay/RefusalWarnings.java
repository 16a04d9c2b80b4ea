package org.rproxy.overlay;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.rproxy.core.log.RateLimitedLog;

/**
 * The WARN an {@link OverlayClient} logs when it refuses what a publisher's pointer named, so
 * that an operator can tell which publisher misbehaves: at most one per publisher every
 * {@link #EVERY}, saying how many more were refused since the last (a bad publisher could
 * otherwise fill the log). The rule is core's for rate-limited lines ({@link RateLimitedLog},
 * a window per publisher); publishers tracked: at most {@value #TRACKED}. Thread-safe.
 */
final class RefusalWarnings {
    private static final Logger log = LoggerFactory.getLogger(OverlayClient.class);
    private static final String FORMAT = "overlay: refused {} from publisher {}: {}{}";
    static final Duration EVERY = Duration.ofMinutes(1);
    static final int TRACKED = 256;

    private final RateLimitedLog lines;

    RefusalWarnings() {
        this(System::nanoTime);
    }

    /** With a ticker of nanoseconds other than System.nanoTime: for tests. */
    RefusalWarnings(LongSupplier ticker) {
        this.lines = new RateLimitedLog(EVERY, ticker, TRACKED);
    }

    /**
     * Warns that what {@code publisher} (hex key, or null when unknown) pointed to was refused
     * for {@code why}, unless that publisher was warned of within {@link #EVERY}; true when it warned.
     */
    boolean refused(String publisher, String what, String why) {
        String who = publisher == null ? "(unknown)" : publisher;
        long more = lines.admit(log, FORMAT, who);
        if (more < 0) {
            return false;
        }
        log.warn(FORMAT, what, who, why,
                more == 0 ? "" : " (and " + more + " more of this publisher's since the last warning)");
        return true;
    }
}

package org.rproxy.overlay;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WARN an {@link OverlayClient} logs when it refuses what a publisher's pointer named, so
 * that an operator can tell which publisher misbehaves: at most one per publisher every
 * {@link #EVERY}, saying how many more were refused since the last (a bad publisher could
 * otherwise fill the log). Publishers tracked: the most recent {@value #TRACKED}. Thread-safe.
 */
final class RefusalWarnings {
    private static final Logger log = LoggerFactory.getLogger(OverlayClient.class);
    static final Duration EVERY = Duration.ofMinutes(1);
    static final int TRACKED = 256;

    private final LongSupplier ticker;
    /** Per publisher (hex key): when it was last warned of (ticker), and refusals since. */
    private final Map<String, long[]> warned = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > TRACKED;
        }
    };

    RefusalWarnings() {
        this(System::nanoTime);
    }

    /** With a ticker of nanoseconds other than System.nanoTime: for tests. */
    RefusalWarnings(LongSupplier ticker) {
        this.ticker = ticker;
    }

    /**
     * Warns that what {@code publisher} (hex key, or null when unknown) pointed to was refused
     * for {@code why}, unless that publisher was warned of within {@link #EVERY}; true when it warned.
     */
    boolean refused(String publisher, String what, String why) {
        String who = publisher == null ? "(unknown)" : publisher;
        long now = ticker.getAsLong();
        long more;
        synchronized (warned) {
            long[] w = warned.get(who);
            if (w != null && now - w[0] < EVERY.toNanos()) {
                w[1]++;
                return false;
            }
            more = w == null ? 0 : w[1];
            warned.put(who, new long[] {now, 0});
        }
        log.warn("overlay: refused {} from publisher {}: {}{}", what, who, why,
                more == 0 ? "" : " (and " + more + " more of this publisher's since the last warning)");
        return true;
    }
}

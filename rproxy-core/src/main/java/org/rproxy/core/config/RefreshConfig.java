package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.positive;

import java.time.Duration;

/**
 * Timings of the pull feed's background work.
 *
 * @param tick        how often the refresher looks at the entries (default 1s)
 * @param ahead       how long before going stale a hot entry is revalidated (default 5s; the
 *                    refresher cuts it to a fifth of each copy's max-age, which the upstream sets,
 *                    so a larger value is not refused here)
 * @param retry       the longest pause after failed upstream attempts before the next one for the
 *                    same entry (the pauses grow to it while the failures go on); also how soon,
 *                    at the latest, the proxy notices that the upstream is back (default 5s)
 * @param minInterval the least time between two upstream requests for one entry (default 1s)
 * @param forgetAfter an entry nobody asked for in this long, and that can no longer be served,
 *                    is dropped instead of retried (default 1h)
 */
public record RefreshConfig(Duration tick, Duration ahead, Duration retry, Duration minInterval,
                            Duration forgetAfter) {
    public RefreshConfig {
        tick = positive(tick, Duration.ofSeconds(1), "tick");
        ahead = positive(ahead, Duration.ofSeconds(5), "ahead");
        retry = positive(retry, Duration.ofSeconds(5), "retry");
        minInterval = positive(minInterval, Duration.ofSeconds(1), "min-interval");
        forgetAfter = positive(forgetAfter, Duration.ofHours(1), "forget-after");
    }

    public static RefreshConfig defaults() {
        return new RefreshConfig(null, null, null, null, null);
    }
}

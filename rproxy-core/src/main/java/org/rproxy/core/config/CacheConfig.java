package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.atLeast;
import static org.rproxy.core.config.ConfigChecks.orDefault;

import java.time.Duration;

/**
 * The store's bound, and how a pull proxy remembers the upstream's "no such resource".
 *
 * @param maxBytes        bytes of representations held at most, bodies and headers (default 256MB)
 * @param notFoundFor     how long a GET answered {@code 404}/{@code 410} by the upstream is
 *                        answered so without asking again (default 5s; 0 turns it off; at most
 *                        1m, since a resource published meanwhile stays hidden for that long)
 * @param notFoundEntries how many such paths are remembered at most (default 10000)
 */
public record CacheConfig(ByteSize maxBytes, Duration notFoundFor, Integer notFoundEntries) {
    private static final Duration MAX_NOT_FOUND_FOR = Duration.ofMinutes(1);

    public CacheConfig {
        maxBytes = orDefault(maxBytes, ByteSize.ofMegabytes(256));
        notFoundFor = orDefault(notFoundFor, Duration.ofSeconds(5));
        if (notFoundFor.isNegative() || notFoundFor.compareTo(MAX_NOT_FOUND_FOR) > 0) {
            throw new IllegalArgumentException("not-found-for: " + Durations.format(notFoundFor)
                    + " (expected: 0 to " + Durations.format(MAX_NOT_FOUND_FOR) + ")");
        }
        notFoundEntries = atLeast(notFoundEntries, 10_000, 1, "not-found-entries");
    }

    public CacheConfig(ByteSize maxBytes) {
        this(maxBytes, null, null);
    }
}

package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * Settings of a push feed, read once at start.
 *
 * @param upstream       base URI of the upstream (origin or proxy), {@code http://host:port}
 * @param heartbeat      the upstream's heartbeat interval; a stream silent for twice this long is
 *                       taken for dead (half-open TCP included) and replaced
 * @param initialBackoff first wait before reconnecting; doubles on each failure, with jitter
 * @param maxBackoff     longest wait before reconnecting
 * @param maxEventBytes  largest event accepted (a full map); larger fails the stream
 */
public record PushFeedConfig(URI upstream, Duration heartbeat, Duration initialBackoff, Duration maxBackoff,
                             int maxEventBytes) {

    public PushFeedConfig {
        requireNonNull(upstream, "upstream");
        if (!"http".equalsIgnoreCase(upstream.getScheme()) || upstream.getHost() == null) {
            throw new IllegalArgumentException("upstream: " + upstream + " (expected: http://host:port)");
        }
        positive(heartbeat, "heartbeat");
        positive(initialBackoff, "initialBackoff");
        positive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + maxBackoff + " (expected: >= initialBackoff)");
        }
        if (maxEventBytes < 1024) {
            throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes + " (expected: >= 1024)");
        }
    }

    public static PushFeedConfig of(URI upstream) {
        return new PushFeedConfig(upstream, UpdateStreamConfig.DEFAULT_HEARTBEAT, Duration.ofMillis(200),
                Duration.ofSeconds(30), 64 * 1024 * 1024);
    }

    public PushFeedConfig withHeartbeat(Duration d) {
        return new PushFeedConfig(upstream, d, initialBackoff, maxBackoff, maxEventBytes);
    }

    public PushFeedConfig withBackoff(Duration initial, Duration max) {
        return new PushFeedConfig(upstream, heartbeat, initial, max, maxEventBytes);
    }

    /** Silence after which the stream is taken for dead: two heartbeats. */
    public Duration readTimeout() {
        return heartbeat.multipliedBy(2);
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}

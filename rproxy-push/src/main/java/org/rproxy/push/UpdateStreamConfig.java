package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Settings of an update stream publisher, read once at start.
 *
 * @param path           where the update stream is served ({@code /updates}); control URIs are below it
 * @param heartbeat      longest silence on a stream before an SSE comment is written
 * @param stallTimeout   how long a subscriber may leave its window full before it is disconnected
 * @param maxSubscribers open streams at once; one more is answered 503
 * @param windowBytes    bytes sent to a subscriber and not yet taken by its socket beyond which
 *                       nothing more is sent to it (it is skipped to the latest version when it
 *                       drains)
 */
public record UpdateStreamConfig(String path, Duration heartbeat, Duration stallTimeout, int maxSubscribers,
                                 long windowBytes) {

    public static final String DEFAULT_PATH = "/updates";
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_WINDOW_BYTES = 256 * 1024;

    public UpdateStreamConfig {
        requireNonNull(path, "path");
        if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: /name)");
        }
        positive(heartbeat, "heartbeat");
        positive(stallTimeout, "stallTimeout");
        if (maxSubscribers < 1) {
            throw new IllegalArgumentException("maxSubscribers: " + maxSubscribers + " (expected: >= 1)");
        }
        if (windowBytes < 1024) {
            throw new IllegalArgumentException("windowBytes: " + windowBytes + " (expected: >= 1024)");
        }
    }

    public static UpdateStreamConfig defaults() {
        return new UpdateStreamConfig(DEFAULT_PATH, DEFAULT_HEARTBEAT, DEFAULT_STALL_TIMEOUT, 10_000, DEFAULT_WINDOW_BYTES);
    }

    public UpdateStreamConfig withHeartbeat(Duration d) {
        return new UpdateStreamConfig(path, d, stallTimeout, maxSubscribers, windowBytes);
    }

    public UpdateStreamConfig withStallTimeout(Duration d) {
        return new UpdateStreamConfig(path, heartbeat, d, maxSubscribers, windowBytes);
    }

    public UpdateStreamConfig withWindowBytes(long bytes) {
        return new UpdateStreamConfig(path, heartbeat, stallTimeout, maxSubscribers, bytes);
    }

    public UpdateStreamConfig withMaxSubscribers(int n) {
        return new UpdateStreamConfig(path, heartbeat, stallTimeout, n, windowBytes);
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}

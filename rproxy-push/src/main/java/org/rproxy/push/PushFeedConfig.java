package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.config.PushConfig;

/**
 * Settings of a push feed, read once at start.
 *
 * @param upstream       base URI of the upstream (origin or proxy), {@code http://host:port} or
 *                       {@code https://host:port}
 * @param ca             PEM certificate(s) to trust for an {@code https} upstream instead of the
 *                       JDK's default trust store, or null; the host name is checked either way
 * @param readTimeout    a stream silent this long is taken for dead (half-open TCP included) and
 *                       replaced; about twice the upstream's heartbeat; also the most one of the
 *                       feed's side requests (the directory, a health check) may take, body read
 * @param initialBackoff first wait before reconnecting; doubles on each failure, with jitter
 * @param maxBackoff     longest wait before reconnecting
 * @param maxEventBytes  largest event accepted (a full map); larger fails the stream; also the
 *                       largest body of a side request (the directory, a health check) read
 * @param fallbacks      further upstreams, in order of preference after {@code upstream}, of the
 *                       same scheme: a lost stream is replaced from the next one, and a preferred
 *                       one is subscribed to again once its directory verifies (may be empty)
 * @param healthCheck    how often, while on a fallback, the preferred upstreams are checked
 */
public record PushFeedConfig(URI upstream, Path ca, Duration readTimeout, Duration initialBackoff,
                             Duration maxBackoff, int maxEventBytes, List<URI> fallbacks, Duration healthCheck) {

    public PushFeedConfig {
        requireNonNull(upstream, "upstream");
        fallbacks = List.copyOf(requireNonNull(fallbacks, "fallbacks"));
        for (URI u : upstreams(upstream, fallbacks)) {
            if (!"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme())
                    || u.getHost() == null || !u.getScheme().equalsIgnoreCase(upstream.getScheme())) {
                throw new IllegalArgumentException("upstream: " + u
                        + " (expected: http://host:port or https://host:port, all of one scheme)");
            }
        }
        positive(healthCheck, "healthCheck");
        positive(readTimeout, "readTimeout");
        positive(initialBackoff, "initialBackoff");
        positive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + maxBackoff + " (expected: >= initialBackoff)");
        }
        if (maxEventBytes < 1024) {
            throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes + " (expected: >= 1024)");
        }
    }

    /** {@code upstream} with the default trust store and the {@link PushConfig} default timings. */
    public static PushFeedConfig of(URI upstream) {
        return new PushFeedConfig(upstream, null, PushConfig.DEFAULT_READ_TIMEOUT, PushConfig.DEFAULT_BACKOFF_MIN,
                PushConfig.DEFAULT_BACKOFF_MAX, 64 * 1024 * 1024, List.of(), Duration.ofSeconds(2));
    }

    public PushFeedConfig withCa(Path file) {
        return new PushFeedConfig(upstream, file, readTimeout, initialBackoff, maxBackoff, maxEventBytes, fallbacks,
                healthCheck);
    }

    public PushFeedConfig withReadTimeout(Duration d) {
        return new PushFeedConfig(upstream, ca, d, initialBackoff, maxBackoff, maxEventBytes, fallbacks, healthCheck);
    }

    /** With {@code bytes} as {@link #maxEventBytes}: the upstream's {@code max-body}. */
    public PushFeedConfig withMaxEventBytes(int bytes) {
        return new PushFeedConfig(upstream, ca, readTimeout, initialBackoff, maxBackoff, bytes, fallbacks, healthCheck);
    }

    public PushFeedConfig withBackoff(Duration initial, Duration max) {
        return new PushFeedConfig(upstream, ca, readTimeout, initial, max, maxEventBytes, fallbacks, healthCheck);
    }

    /** With {@code others} to fall back to, in order, the preferred ones checked every {@code every}. */
    public PushFeedConfig withFallbacks(List<URI> others, Duration every) {
        return new PushFeedConfig(upstream, ca, readTimeout, initialBackoff, maxBackoff, maxEventBytes, others, every);
    }

    /** {@code upstream} and then the fallbacks. */
    public List<URI> upstreams() {
        return upstreams(upstream, fallbacks);
    }

    private static List<URI> upstreams(URI first, List<URI> rest) {
        List<URI> all = new ArrayList<>(1 + rest.size());
        all.add(first);
        all.addAll(rest);
        return all;
    }

    public boolean https() {
        return "https".equalsIgnoreCase(upstream.getScheme());
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}

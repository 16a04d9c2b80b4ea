package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;
import static org.rproxy.core.config.ConfigChecks.positive;

import java.time.Duration;

/**
 * Timings and bounds of the update streams (RFC 8895), the {@code push:} section of
 * {@code conf/push.yaml}: the upstream stream a push proxy follows, and the {@code /updates}
 * streams every proxy (pull or push) serves to its own subscribers. Every key is optional.
 *
 * <pre>
 * push: {heartbeat: 10s, read-timeout: 20s, backoff-min: 200ms, backoff-max: 30s,
 *        subscriber-buffer: 256KB, stall-timeout: 30s, max-subscribers: 20000, max-pending-bytes: 256MB,
 *        signature-events: true}
 * </pre>
 *
 * @param heartbeat        longest silence on this proxy's own {@code /updates} streams before it
 *                         writes an SSE comment (default 10s)
 * @param readTimeout      an upstream stream silent this long is taken for dead (half-open TCP)
 *                         and replaced; keep it at about twice the upstream's heartbeat (default
 *                         20s, twice the default heartbeat)
 * @param backoffMin       first wait before reconnecting; doubles, with jitter, on each failure
 *                         (default 200ms)
 * @param backoffMax       longest wait before reconnecting (default 30s; at least backoff-min)
 * @param subscriberBuffer bytes a subscriber of this proxy may leave unread before it is sent
 *                         nothing more and skipped to the latest version when it drains (default
 *                         256KB)
 * @param stallTimeout     how long a subscriber may leave that buffer full before it is
 *                         disconnected (default 30s)
 * @param maxSubscribers   update streams open at once on this proxy; one more is answered 503
 *                         (null: derived from the heap when the publisher starts)
 * @param maxPendingBytes  bytes sent to all of this proxy's subscribers together and not yet
 *                         taken by their sockets (held in direct memory meanwhile) beyond which a
 *                         subscriber waits to be sent more, skipped to the latest version when its
 *                         turn comes (null: a quarter of the JVM's direct-memory limit, derived
 *                         when the publisher starts; at least 64KB)
 * @param signatureEvents  whether this proxy's streams carry this project's signature events to
 *                         subscribers that do not ask either way (default true; a push proxy
 *                         below always asks for them)
 */
public record PushConfig(Duration heartbeat, Duration readTimeout, Duration backoffMin, Duration backoffMax,
                         ByteSize subscriberBuffer, Duration stallTimeout, Integer maxSubscribers,
                         ByteSize maxPendingBytes, Boolean signatureEvents) {

    /** The defaults, here once for the config file, the push feed and the publisher alike. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = DEFAULT_HEARTBEAT.multipliedBy(2);
    public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofMillis(200);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(30);
    public static final ByteSize DEFAULT_SUBSCRIBER_BUFFER = ByteSize.ofBytes(256 * 1024);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    /** The least {@code max-pending-bytes} taken. */
    public static final ByteSize MIN_PENDING_BYTES = ByteSize.ofBytes(64 * 1024);
    private static final ByteSize MIN_BUFFER = ByteSize.ofBytes(1024);
    private static final ByteSize MAX_BUFFER = ByteSize.ofBytes(1L << 30);

    public PushConfig {
        heartbeat = positive(heartbeat, DEFAULT_HEARTBEAT, "heartbeat");
        readTimeout = positive(readTimeout, DEFAULT_READ_TIMEOUT, "read-timeout");
        backoffMin = positive(backoffMin, DEFAULT_BACKOFF_MIN, "backoff-min");
        backoffMax = positive(backoffMax, DEFAULT_BACKOFF_MAX, "backoff-max");
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("backoff-max: " + Durations.format(backoffMax)
                    + " (expected: >= backoff-min, " + Durations.format(backoffMin) + ")");
        }
        subscriberBuffer = orDefault(subscriberBuffer, DEFAULT_SUBSCRIBER_BUFFER);
        if (subscriberBuffer.bytes() < MIN_BUFFER.bytes() || subscriberBuffer.bytes() > MAX_BUFFER.bytes()) {
            throw new IllegalArgumentException("subscriber-buffer: " + subscriberBuffer
                    + " (expected: " + MIN_BUFFER + " to " + MAX_BUFFER + ")");
        }
        stallTimeout = positive(stallTimeout, DEFAULT_STALL_TIMEOUT, "stall-timeout");
        if (maxSubscribers != null && maxSubscribers < 1) {
            throw new IllegalArgumentException("max-subscribers: " + maxSubscribers + " (expected: >= 1)");
        }
        if (maxPendingBytes != null && maxPendingBytes.bytes() < MIN_PENDING_BYTES.bytes()) {
            throw new IllegalArgumentException("max-pending-bytes: " + maxPendingBytes + " (expected: >= "
                    + MIN_PENDING_BYTES + ")");
        }
        signatureEvents = orDefault(signatureEvents, Boolean.TRUE);
    }

    /** The first six keys, the others at their defaults. */
    public PushConfig(Duration heartbeat, Duration readTimeout, Duration backoffMin, Duration backoffMax,
                      ByteSize subscriberBuffer, Duration stallTimeout) {
        this(heartbeat, readTimeout, backoffMin, backoffMax, subscriberBuffer, stallTimeout, null, null, null);
    }

    public static PushConfig defaults() {
        return new PushConfig(null, null, null, null, null, null, null, null, null);
    }

    public PushConfig withReadTimeout(Duration d) {
        return new PushConfig(heartbeat, d, backoffMin, backoffMax, subscriberBuffer, stallTimeout, maxSubscribers,
                maxPendingBytes, signatureEvents);
    }

    public PushConfig withHeartbeat(Duration d) {
        return new PushConfig(d, readTimeout, backoffMin, backoffMax, subscriberBuffer, stallTimeout, maxSubscribers,
                maxPendingBytes, signatureEvents);
    }

    public PushConfig withMaxSubscribers(Integer n) {
        return new PushConfig(heartbeat, readTimeout, backoffMin, backoffMax, subscriberBuffer, stallTimeout, n,
                maxPendingBytes, signatureEvents);
    }

    public PushConfig withMaxPendingBytes(ByteSize bytes) {
        return new PushConfig(heartbeat, readTimeout, backoffMin, backoffMax, subscriberBuffer, stallTimeout, maxSubscribers,
                bytes, signatureEvents);
    }

    public PushConfig withBackoff(Duration min, Duration max) {
        return new PushConfig(heartbeat, readTimeout, min, max, subscriberBuffer, stallTimeout, maxSubscribers,
                maxPendingBytes, signatureEvents);
    }
}

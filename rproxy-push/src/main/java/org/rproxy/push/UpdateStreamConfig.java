package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

import io.netty.util.internal.PlatformDependent;

import org.rproxy.core.config.PushConfig;

/**
 * Settings of an update stream publisher, read once at start.
 *
 * @param path            where the update stream is served ({@code /updates}); control URIs are below it
 * @param heartbeat       longest silence on a stream before an SSE comment is written
 * @param stallTimeout    how long a subscriber may leave its window full before it is disconnected
 * @param maxSubscribers  open streams at once; one more is answered 503
 * @param windowBytes     bytes sent to a subscriber and not yet taken by its socket beyond which
 *                        nothing more is sent to it (it is skipped to the latest version when it
 *                        drains)
 * @param maxPendingBytes bytes sent to all subscribers together and not yet taken by their
 *                        sockets (which the transport holds in direct memory) beyond which a
 *                        subscriber with something to send waits, coalesced likewise, until they
 *                        drain to half of it; at most this and one event are pending
 * @param signatureEvents whether a stream whose request does not say carries this project's
 *                        signature events (a request's {@code alto-redist-signatures} decides for
 *                        its own stream)
 * @param https           whether the front end serves TLS: the scheme of control URIs built from
 *                        a request's {@code Host}
 * @param publicUri       the absolute URI clients reach this node at ({@code https://alto.example}),
 *                        which control URIs are built on instead of {@code Host}; or null
 */
public record UpdateStreamConfig(String path, Duration heartbeat, Duration stallTimeout, int maxSubscribers,
                                 long windowBytes, long maxPendingBytes, boolean signatureEvents, boolean https,
                                 String publicUri) {

    public static final String DEFAULT_PATH = "/updates";
    public static final Duration DEFAULT_HEARTBEAT = PushConfig.DEFAULT_HEARTBEAT;
    public static final Duration DEFAULT_STALL_TIMEOUT = PushConfig.DEFAULT_STALL_TIMEOUT;
    public static final long DEFAULT_WINDOW_BYTES = PushConfig.DEFAULT_SUBSCRIBER_BUFFER.bytes();
    /**
     * Heap set aside per subscriber when no limit is configured: its subscription and substream
     * state, the channel and its pipeline, and a share of what slow subscribers hold (on the heap
     * their window's bytes are the shared encoded events, not copies; the transport copies what
     * waits for a socket off-heap: up to a window and the event that filled it per subscriber that
     * does not read, for at most the stall timeout, which this does not count: {@link
     * #maxPendingBytes} bounds it for all subscribers together).
     */
    public static final long HEAP_PER_SUBSCRIBER = 32 * 1024;
    /** The least {@link #maxPendingBytes} taken. */
    public static final long MIN_PENDING_BYTES = PushConfig.MIN_PENDING_BYTES.bytes();

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
        if (maxPendingBytes < MIN_PENDING_BYTES) {
            throw new IllegalArgumentException("maxPendingBytes: " + maxPendingBytes + " (expected: >= "
                    + MIN_PENDING_BYTES + ")");
        }
        if (publicUri != null) {
            URI u = URI.create(publicUri);
            if (!u.isAbsolute() || u.getRawAuthority() == null) {
                throw new IllegalArgumentException("publicUri: " + publicUri + " (expected: an absolute http(s) URI)");
            }
            publicUri = publicUri.endsWith("/") ? publicUri.substring(0, publicUri.length() - 1) : publicUri;
        }
    }

    public static UpdateStreamConfig defaults() {
        return new UpdateStreamConfig(DEFAULT_PATH, DEFAULT_HEARTBEAT, DEFAULT_STALL_TIMEOUT,
                subscribersForHeap(Runtime.getRuntime().maxMemory()), DEFAULT_WINDOW_BYTES,
                pendingBytesForDirectMemory(PlatformDependent.maxDirectMemory()), true, false, null);
    }

    /**
     * The default {@link #maxPendingBytes} for a JVM whose direct memory is limited to
     * {@code maxDirectBytes} ({@code -XX:MaxDirectMemorySize}, by default the heap's size): a
     * quarter of it, at least {@link #MIN_PENDING_BYTES}; the rest is left to the other
     * connections' buffers and a pull proxy's direct copies of held bodies.
     */
    static long pendingBytesForDirectMemory(long maxDirectBytes) {
        return Math.max(MIN_PENDING_BYTES, maxDirectBytes / 4);
    }

    /** The default subscriber limit for a heap of {@code maxHeapBytes}: one {@link #HEAP_PER_SUBSCRIBER} each, at least 16. */
    static int subscribersForHeap(long maxHeapBytes) {
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, maxHeapBytes / HEAP_PER_SUBSCRIBER));
    }

    public UpdateStreamConfig withHeartbeat(Duration d) {
        return new UpdateStreamConfig(path, d, stallTimeout, maxSubscribers, windowBytes, maxPendingBytes,
                signatureEvents, https, publicUri);
    }

    public UpdateStreamConfig withStallTimeout(Duration d) {
        return new UpdateStreamConfig(path, heartbeat, d, maxSubscribers, windowBytes, maxPendingBytes,
                signatureEvents, https, publicUri);
    }

    public UpdateStreamConfig withWindowBytes(long bytes) {
        return new UpdateStreamConfig(path, heartbeat, stallTimeout, maxSubscribers, bytes, maxPendingBytes,
                signatureEvents, https, publicUri);
    }

    /** With {@code n} subscribers at most, or the heap's default when null. */
    public UpdateStreamConfig withMaxSubscribers(Integer n) {
        return new UpdateStreamConfig(path, heartbeat, stallTimeout,
                n != null ? n : subscribersForHeap(Runtime.getRuntime().maxMemory()), windowBytes, maxPendingBytes,
                signatureEvents, https, publicUri);
    }

    /** With at most {@code bytes} pending for all subscribers together, or the direct memory's default when null. */
    public UpdateStreamConfig withMaxPendingBytes(Long bytes) {
        return new UpdateStreamConfig(path, heartbeat, stallTimeout, maxSubscribers, windowBytes,
                bytes != null ? bytes : pendingBytesForDirectMemory(PlatformDependent.maxDirectMemory()),
                signatureEvents, https, publicUri);
    }

    public UpdateStreamConfig withSignatureEvents(boolean on) {
        return new UpdateStreamConfig(path, heartbeat, stallTimeout, maxSubscribers, windowBytes, maxPendingBytes,
                on, https, publicUri);
    }

    /** Where control URIs point: {@code publicUri} when not null, else the request's {@code Host} over http(s). */
    public UpdateStreamConfig withBase(boolean tls, String uri) {
        return new UpdateStreamConfig(path, heartbeat, stallTimeout, maxSubscribers, windowBytes, maxPendingBytes,
                signatureEvents, tls, uri);
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}

package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;

import java.time.Duration;

/**
 * The bounds of each limit a listener takes ({@link ListenConfig}'s keys under {@code listen}), with
 * its default: one definition for the proxy file's keys and the command-line options of
 * {@code rproxy origin} and {@code rproxy proxy}, so that a limit means the same and is refused the
 * same way wherever it is given. Each check returns the value as applied and refuses one out of
 * bounds with a message starting with the key ({@code max-connections: 0 (expected: ...)}), which the
 * loader prefixes with the section and the command line turns into the option. Apart from
 * {@link ListenConfig}, which says what each setting means and holds them together. Stateless.
 */
public final class ListenLimits {
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /**
     * The most connections one may allow: far beyond what a process's file descriptors allow, and
     * far from the int range the front end counts in (the same bound as {@code FrontEndConfig}'s).
     */
    public static final int MAX_CONNECTIONS = 10_000_000;
    /** The smallest send buffer: Linux's own floor is 4.5 KB, and below a few pages every write is a wake-up. */
    public static final long MIN_SEND_BUFFER = 16 * 1024;
    /** {@code SO_SNDBUF} takes an int, and the kernel caps it at {@code net.core.wmem_max} anyway. */
    public static final long MAX_SEND_BUFFER = 1L << 30;
    /** The default request-body limit, the front end's ({@code FrontEndConfig.DEFAULT_MAX_BODY_BYTES}). */
    public static final ByteSize DEFAULT_MAX_REQUEST_BODY = ByteSize.ofBytes(1024 * 1024);
    /** The smallest body limit: a filtered cost map's or an endpoint query's body fits in far less. */
    public static final long MIN_MAX_REQUEST_BODY = 1024;
    /** The largest: the front end counts a body's bytes in an int. */
    public static final long MAX_MAX_REQUEST_BODY = 1L << 30;
    /** The default bound on unfinished HTTP/2 requests, the front end's ({@code FrontEndConfig.DEFAULT_MAX_UNFINISHED_STREAMS}). */
    public static final int DEFAULT_MAX_UNFINISHED_STREAMS = 10_000;
    /** The most unfinished HTTP/2 requests one may allow: as many as connections (about 2.5 KB of heap each). */
    public static final int MAX_UNFINISHED_STREAMS = MAX_CONNECTIONS;
    /** The default streams open at once per HTTP/2 connection, the front end's ({@code FrontEndConfig.DEFAULT_MAX_STREAMS}). */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 1_000;
    /**
     * The most streams per HTTP/2 connection one may allow: each open stream holds its own
     * pipeline (a few KB of heap) while it lasts, and a client may open that many on every
     * connection; far beyond what a browser or a fan-out client uses (100 to 1000).
     */
    public static final int MAX_CONCURRENT_STREAMS = 100_000;
    /** The least bound on pending answer bytes: one part of an answer sent in parts. */
    public static final long MIN_PENDING_ANSWER_BYTES = 64 * 1024;
    /**
     * The fewest answers held one may allow, the front end's ({@code FrontEndConfig.MIN_ANSWERS_HELD}):
     * the last quarter of them is kept for a connection's first answer, and below four that is none,
     * so that a few clients reading nothing would hold every place and keep every other waiting.
     */
    public static final int MIN_ANSWERS_HELD = 4;
    /** The most answers held one may allow, the front end's ({@code FrontEndConfig.MAX_ANSWERS_HELD}). */
    public static final int MAX_ANSWERS_HELD = 10_000_000;
    /** The drain of a stop by default, and its bounds: the front end's ({@code FrontEndConfig.DEFAULT_DRAIN_TIMEOUT}, ...). */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MIN_DRAIN_TIMEOUT = Duration.ofMillis(100);
    public static final Duration MAX_DRAIN_TIMEOUT = Duration.ofMinutes(10);

    private ListenLimits() {
    }

    /**
     * {@code connections} as the bound on connections served at once, the default when null.
     *
     * @throws IllegalArgumentException starting {@code max-connections: }, when out of range
     */
    public static int checkedConnections(Integer connections) {
        int n = orDefault(connections, DEFAULT_MAX_CONNECTIONS);
        if (n < 1 || n > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("max-connections: " + n + " (expected: 1 to " + MAX_CONNECTIONS
                    + "; the process's file descriptor limit is the real bound)");
        }
        return n;
    }

    /**
     * {@code size} as the send buffer of each connection, as given (null: the kernel's autotuning).
     *
     * @throws IllegalArgumentException starting {@code send-buffer: }, when out of range
     */
    public static ByteSize checkedSendBuffer(ByteSize size) {
        if (size != null && (size.bytes() < MIN_SEND_BUFFER || size.bytes() > MAX_SEND_BUFFER)) {
            throw new IllegalArgumentException("send-buffer: " + size + " (expected: "
                    + ByteSize.ofBytes(MIN_SEND_BUFFER) + " to " + ByteSize.ofBytes(MAX_SEND_BUFFER) + ")");
        }
        return size;
    }

    /** {@code timeout} as the drain of a stop, the default when null; out of range, refused starting {@code drain-timeout: }. */
    public static Duration checkedDrainTimeout(Duration timeout) {
        Duration d = orDefault(timeout, DEFAULT_DRAIN_TIMEOUT);
        if (d.compareTo(MIN_DRAIN_TIMEOUT) < 0 || d.compareTo(MAX_DRAIN_TIMEOUT) > 0) {
            throw new IllegalArgumentException("drain-timeout: " + Durations.format(d) + " (expected: "
                    + Durations.format(MIN_DRAIN_TIMEOUT) + " to " + Durations.format(MAX_DRAIN_TIMEOUT) + ")");
        }
        return d;
    }

    /**
     * {@code connections} as the bound on connections per client address, {@code 0} (none) when null.
     *
     * @throws IllegalArgumentException starting {@code max-connections-per-address: }, when out of range
     */
    public static int checkedConnectionsPerAddress(Integer connections) {
        if (connections != null && (connections < 1 || connections > MAX_CONNECTIONS)) {
            throw new IllegalArgumentException("max-connections-per-address: " + connections + " (expected: 1 to "
                    + MAX_CONNECTIONS + "; leave it out for no such limit)");
        }
        return connections == null ? 0 : connections;
    }

    /**
     * {@code connections}, a bound on connections per client address, when it is at most
     * {@code maxConnections}: one past the node's limit is refused whatever its address, so a larger
     * bound could never apply and would only seem to protect something.
     *
     * @param maxConnectionsKey how the operator gave {@code maxConnections} ({@code max-connections}
     *                          in a file, {@code --max-connections} on the command line)
     * @throws IllegalArgumentException starting {@code max-connections-per-address: }, naming both
     */
    public static int checkedWithinConnections(int connections, int maxConnections, String maxConnectionsKey) {
        if (connections > maxConnections) {
            throw new IllegalArgumentException("max-connections-per-address: " + connections + " (expected: at most "
                    + maxConnectionsKey + ", " + maxConnections + "; one past " + maxConnectionsKey
                    + " is refused whatever its address, so a larger limit could never apply)");
        }
        return connections;
    }

    /**
     * {@code answers} as the bound on answers held for HTTP/2 streams, {@code 0} (the heap's share) when null.
     *
     * @throws IllegalArgumentException starting {@code max-answers-held: }, when out of range
     */
    public static int checkedAnswersHeld(Integer answers) {
        if (answers != null && (answers < MIN_ANSWERS_HELD || answers > MAX_ANSWERS_HELD)) {
            throw new IllegalArgumentException("max-answers-held: " + answers + " (expected: " + MIN_ANSWERS_HELD + " to "
                    + MAX_ANSWERS_HELD + "; each may hold an answer on the heap until its client takes it, and the last"
                    + " quarter is kept for a connection's first)");
        }
        return answers == null ? 0 : answers;
    }

    /**
     * {@code streams} as a bound on the streams open at once per HTTP/2 connection, the default
     * when null.
     *
     * @throws IllegalArgumentException starting {@code max-concurrent-streams: }, when out of range
     */
    public static int checkedConcurrentStreams(Integer streams) {
        int n = orDefault(streams, DEFAULT_MAX_CONCURRENT_STREAMS);
        if (n < 1 || n > MAX_CONCURRENT_STREAMS) {
            throw new IllegalArgumentException("max-concurrent-streams: " + n + " (expected: 1 to " + MAX_CONCURRENT_STREAMS
                    + " per connection; each open stream holds a few KB of heap)");
        }
        return n;
    }

    /**
     * {@code size} as the bound on pending answer bytes, {@code 0} (the default) when null.
     *
     * @throws IllegalArgumentException starting {@code max-pending-answer-bytes: }, when below the least
     */
    public static long checkedPendingAnswerBytes(ByteSize size) {
        if (size != null && size.bytes() < MIN_PENDING_ANSWER_BYTES) {
            throw new IllegalArgumentException("max-pending-answer-bytes: " + size + " (expected: at least "
                    + ByteSize.ofBytes(MIN_PENDING_ANSWER_BYTES) + ", one part of a large answer)");
        }
        return size == null ? 0 : size.bytes();
    }

    /**
     * {@code streams} as a bound on unfinished HTTP/2 requests, the default when null.
     *
     * @throws IllegalArgumentException starting {@code max-unfinished-streams: }, when out of range
     */
    public static int checkedUnfinishedStreams(Integer streams) {
        int n = orDefault(streams, DEFAULT_MAX_UNFINISHED_STREAMS);
        if (n < 1 || n > MAX_UNFINISHED_STREAMS) {
            throw new IllegalArgumentException("max-unfinished-streams: " + n + " (expected: 1 to " + MAX_UNFINISHED_STREAMS
                    + "; each holds about 2.5 KB of heap)");
        }
        return n;
    }

    /**
     * {@code size} as a request-body limit, the default when null.
     *
     * @throws IllegalArgumentException starting {@code max-request-body: }, when out of range
     */
    public static ByteSize checkedRequestBody(ByteSize size) {
        ByteSize s = orDefault(size, DEFAULT_MAX_REQUEST_BODY);
        if (s.bytes() < MIN_MAX_REQUEST_BODY || s.bytes() > MAX_MAX_REQUEST_BODY) {
            throw new IllegalArgumentException("max-request-body: " + s + " (expected: "
                    + ByteSize.ofBytes(MIN_MAX_REQUEST_BODY) + " to " + ByteSize.ofBytes(MAX_MAX_REQUEST_BODY) + ")");
        }
        return s;
    }
}

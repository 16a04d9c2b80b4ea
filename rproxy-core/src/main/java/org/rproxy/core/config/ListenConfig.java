package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;

import java.time.Duration;

/**
 * Where a server listens.
 *
 * @param address {@code HOST:PORT}, default {@code 127.0.0.1:8282}; a host name must resolve
 * @param tls     certificate and key for HTTPS, or null for plain HTTP
 * @param maxConnections open client connections served at once, update streams included; one
 *                       more is answered 503 (default 10000)
 * @param sendBuffer the send buffer of each client connection ({@code SO_SNDBUF}, which Linux
 *                   doubles for its bookkeeping), or null to leave it to the kernel's autotuning
 *                   (up to {@code net.ipv4.tcp_wmem}'s maximum). A bounded buffer bounds the
 *                   kernel memory each connection may hold while a large map goes out, and its
 *                   throughput to about twice the size per round trip
 * @param maxRequestBody the largest request body accepted (a query's JSON, say, over its
 *                       {@code Content-Length} or as it arrives), default 1MB; a larger one is
 *                       answered 413. The bodies a node holds at once, over all connections, stay
 *                       within a sixteenth of the heap, and never less than one such body
 * @param maxUnfinishedStreams HTTP/2 streams whose request has not ended yet (its body or
 *                       trailers still to come), over all connections, default 10000; one more is
 *                       refused at its head with {@code RST_STREAM REFUSED_STREAM}, which a client
 *                       may retry, and counted ({@code rproxy_unfinished_streams_refused_total}). A
 *                       GET takes no place, nor does a stream whose request is complete, however
 *                       long its answer lasts (an update stream)
 * @param maxPendingAnswerBytes bytes of large answers the transport copies for each response (every
 *                       one over TLS, computed ones on plain HTTP/1.1) handed to all connections
 *                       together and not yet taken by their sockets, held in direct memory
 *                       meanwhile; past it an answer waits its turn. Null: a quarter of the
 *                       direct-memory limit; at least {@link #MIN_PENDING_ANSWER_BYTES}
 * @param maxConcurrentStreams HTTP/2 streams a client may have open at once on one connection,
 *                       advertised as {@code SETTINGS_MAX_CONCURRENT_STREAMS} (RFC 9113 §6.5.2),
 *                       default 1000; one more is refused with {@code RST_STREAM REFUSED_STREAM},
 *                       which a client may retry. What one connection may ask at once: the node's
 *                       connections times this is what its clients may hold open together
 * @param maxAnswersHeld HTTP/2 streams of all connections whose answer is being made or not yet all
 *                       sent (each from its request's hand-over until its stream closes); past it a
 *                       stream waits its turn, unstarted, each connection's in order, the last quarter
 *                       kept for a connection's first place. Null: a quarter of
 *                       the heap in 64 KB answers (4096 for a 1 GB heap, at least 32); 1 to
 *                       {@link #MAX_ANSWERS_HELD}
 * @param maxConnectionsPerAddress client connections served at once from one address (an IPv6
 *                       client's /64), update streams included; one more is answered 503 as past
 *                       {@code maxConnections}. Null: no such limit (many viewers may share an
 *                       address behind carrier-grade NAT); 1 to {@link #MAX_CONNECTIONS}
 * @param drainTimeout how long a stop (SIGTERM) waits for the answers in progress to go out before it
 *                       cuts their connections; idle connections close at once. Null: 5s; 100ms to 10m
 */
public record ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                           ByteSize maxRequestBody, Integer maxUnfinishedStreams, ByteSize maxPendingAnswerBytes,
                           Integer maxConcurrentStreams, Integer maxAnswersHeld, Integer maxConnectionsPerAddress,
                           Duration drainTimeout) {
    public static final Address DEFAULT_ADDRESS = new Address("127.0.0.1", 8282);
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
    /** The most answers held one may allow, the front end's ({@code FrontEndConfig.MAX_ANSWERS_HELD}). */
    public static final int MAX_ANSWERS_HELD = 10_000_000;
    /** The drain of a stop by default, and its bounds: the front end's ({@code FrontEndConfig.DEFAULT_DRAIN_TIMEOUT}, ...). */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MIN_DRAIN_TIMEOUT = Duration.ofMillis(100);
    public static final Duration MAX_DRAIN_TIMEOUT = Duration.ofMinutes(10);

    public ListenConfig {
        address = orDefault(address, DEFAULT_ADDRESS);
        try {
            address.resolvable();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address: " + e.getMessage(), e);
        }
        maxConnections = orDefault(maxConnections, DEFAULT_MAX_CONNECTIONS);
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("max-connections: " + maxConnections + " (expected: 1 to " + MAX_CONNECTIONS
                    + "; the process's file descriptor limit is the real bound)");
        }
        if (sendBuffer != null && (sendBuffer.bytes() < MIN_SEND_BUFFER || sendBuffer.bytes() > MAX_SEND_BUFFER)) {
            throw new IllegalArgumentException("send-buffer: " + sendBuffer + " (expected: "
                    + ByteSize.ofBytes(MIN_SEND_BUFFER) + " to " + ByteSize.ofBytes(MAX_SEND_BUFFER) + ")");
        }
        maxRequestBody = checkedRequestBody(maxRequestBody);
        maxUnfinishedStreams = checkedUnfinishedStreams(maxUnfinishedStreams);
        checkedPendingAnswerBytes(maxPendingAnswerBytes);
        maxConcurrentStreams = checkedConcurrentStreams(maxConcurrentStreams);
        checkedAnswersHeld(maxAnswersHeld);
        checkedConnectionsPerAddress(maxConnectionsPerAddress);
        drainTimeout = checkedDrainTimeout(drainTimeout);
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
     * {@code answers} as the bound on answers held for HTTP/2 streams, {@code 0} (the heap's share) when null.
     *
     * @throws IllegalArgumentException starting {@code max-answers-held: }, when out of range
     */
    public static int checkedAnswersHeld(Integer answers) {
        if (answers != null && (answers < 1 || answers > MAX_ANSWERS_HELD)) {
            throw new IllegalArgumentException("max-answers-held: " + answers + " (expected: 1 to " + MAX_ANSWERS_HELD
                    + "; each may hold an answer on the heap until its client takes it)");
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

    /** With the default drain. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                        ByteSize maxRequestBody, Integer maxUnfinishedStreams, ByteSize maxPendingAnswerBytes,
                        Integer maxConcurrentStreams, Integer maxAnswersHeld, Integer maxConnectionsPerAddress) {
        this(address, tls, maxConnections, sendBuffer, maxRequestBody, maxUnfinishedStreams, maxPendingAnswerBytes,
                maxConcurrentStreams, maxAnswersHeld, maxConnectionsPerAddress, null);
    }

    /** With no bound on connections per client address. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                        ByteSize maxRequestBody, Integer maxUnfinishedStreams, ByteSize maxPendingAnswerBytes,
                        Integer maxConcurrentStreams, Integer maxAnswersHeld) {
        this(address, tls, maxConnections, sendBuffer, maxRequestBody, maxUnfinishedStreams, maxPendingAnswerBytes,
                maxConcurrentStreams, maxAnswersHeld, null, null);
    }

    /** With the default bound on answers held. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                        ByteSize maxRequestBody, Integer maxUnfinishedStreams, ByteSize maxPendingAnswerBytes,
                        Integer maxConcurrentStreams) {
        this(address, tls, maxConnections, sendBuffer, maxRequestBody, maxUnfinishedStreams, maxPendingAnswerBytes,
                maxConcurrentStreams, null, null, null);
    }

    /** With the default bound on streams per HTTP/2 connection. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                        ByteSize maxRequestBody, Integer maxUnfinishedStreams, ByteSize maxPendingAnswerBytes) {
        this(address, tls, maxConnections, sendBuffer, maxRequestBody, maxUnfinishedStreams, maxPendingAnswerBytes, null, null, null, null);
    }

    /** With the default bounds on pending answer bytes and streams per HTTP/2 connection. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                        ByteSize maxRequestBody, Integer maxUnfinishedStreams) {
        this(address, tls, maxConnections, sendBuffer, maxRequestBody, maxUnfinishedStreams, null, null, null, null, null);
    }

    /** With the default bound on unfinished HTTP/2 requests. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                        ByteSize maxRequestBody) {
        this(address, tls, maxConnections, sendBuffer, maxRequestBody, null, null, null, null, null, null);
    }

    /** With the default request-body limit. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer) {
        this(address, tls, maxConnections, sendBuffer, null, null, null, null, null, null, null);
    }

    /** With the kernel's send buffer. */
    public ListenConfig(Address address, TlsConfig tls, Integer maxConnections) {
        this(address, tls, maxConnections, null, null, null, null, null, null, null, null);
    }

    /** With the default connection limit and the kernel's send buffer. */
    public ListenConfig(Address address, TlsConfig tls) {
        this(address, tls, null, null, null, null, null, null, null, null, null);
    }

    /** The same on another address (a port chosen at start). */
    public ListenConfig withAddress(Address other) {
        return new ListenConfig(other, tls, maxConnections, sendBuffer, maxRequestBody, maxUnfinishedStreams,
                maxPendingAnswerBytes, maxConcurrentStreams, maxAnswersHeld, maxConnectionsPerAddress,
                drainTimeout);
    }

    /** The send buffer in bytes, {@code 0} for the kernel's autotuning. */
    public int sendBufferBytes() {
        return sendBuffer == null ? 0 : (int) sendBuffer.bytes();
    }

    /** The bound on pending answer bytes, {@code 0} for the default (a quarter of the direct-memory limit). */
    public long pendingAnswerBytes() {
        return maxPendingAnswerBytes == null ? 0 : maxPendingAnswerBytes.bytes();
    }

    /** The bound on answers held for HTTP/2 streams, {@code 0} for the default (a share of the heap). */
    public int answersHeld() {
        return maxAnswersHeld == null ? 0 : maxAnswersHeld;
    }

    /** The bound on connections per client address, {@code 0} for none. */
    public int connectionsPerAddress() {
        return maxConnectionsPerAddress == null ? 0 : maxConnectionsPerAddress;
    }

    /** The request-body limit in bytes. */
    public int maxRequestBodyBytes() {
        return (int) maxRequestBody.bytes();
    }
}

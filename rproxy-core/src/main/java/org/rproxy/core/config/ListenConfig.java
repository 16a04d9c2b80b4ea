package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;

import java.time.Duration;

/**
 * Where a server listens, and the limits it keeps to (each one's bounds and default are
 * {@link ListenLimits}'s).
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
 *                       direct-memory limit; at least {@link ListenLimits#MIN_PENDING_ANSWER_BYTES}
 * @param maxConcurrentStreams HTTP/2 streams a client may have open at once on one connection,
 *                       advertised as {@code SETTINGS_MAX_CONCURRENT_STREAMS} (RFC 9113 §6.5.2),
 *                       default 1000; one more is refused with {@code RST_STREAM REFUSED_STREAM},
 *                       which a client may retry. What one connection may ask at once: the node's
 *                       connections times this is what its clients may hold open together
 * @param maxAnswersHeld HTTP/2 streams of all connections whose answer is being made or not yet all
 *                       sent (each from its request's hand-over until its stream closes); past it a
 *                       stream waits its turn, unstarted, each connection's in order, the last quarter
 *                       kept for a connection's first place. Null: a quarter of
 *                       the heap in 64 KB answers (4096 for a 1 GB heap, at least 32);
 *                       {@link ListenLimits#MIN_ANSWERS_HELD} (a reserve of one) to
 *                       {@link ListenLimits#MAX_ANSWERS_HELD}
 * @param maxConnectionsPerAddress client connections served at once from one address (an IPv6
 *                       client's /64), update streams included; one more is answered 503 as past
 *                       {@code maxConnections}. Null: no such limit (many viewers may share an
 *                       address behind carrier-grade NAT); 1 to {@code maxConnections}, past which
 *                       it could never apply
 * @param drainTimeout how long a stop (SIGTERM) waits for the answers in progress to go out before it
 *                       cuts their connections; idle connections close at once. Null: 5s; 100ms to 10m
 */
public record ListenConfig(Address address, TlsConfig tls, Integer maxConnections, ByteSize sendBuffer,
                           ByteSize maxRequestBody, Integer maxUnfinishedStreams, ByteSize maxPendingAnswerBytes,
                           Integer maxConcurrentStreams, Integer maxAnswersHeld, Integer maxConnectionsPerAddress,
                           Duration drainTimeout) {
    public static final Address DEFAULT_ADDRESS = new Address("127.0.0.1", 8282);

    public ListenConfig {
        address = orDefault(address, DEFAULT_ADDRESS);
        try {
            address.resolvable();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address: " + e.getMessage(), e);
        }
        maxConnections = ListenLimits.checkedConnections(maxConnections);
        ListenLimits.checkedSendBuffer(sendBuffer);
        maxRequestBody = ListenLimits.checkedRequestBody(maxRequestBody);
        maxUnfinishedStreams = ListenLimits.checkedUnfinishedStreams(maxUnfinishedStreams);
        ListenLimits.checkedPendingAnswerBytes(maxPendingAnswerBytes);
        maxConcurrentStreams = ListenLimits.checkedConcurrentStreams(maxConcurrentStreams);
        ListenLimits.checkedAnswersHeld(maxAnswersHeld);
        ListenLimits.checkedConnectionsPerAddress(maxConnectionsPerAddress);
        if (maxConnectionsPerAddress != null) {
            ListenLimits.checkedWithinConnections(maxConnectionsPerAddress, maxConnections, "max-connections");
        }
        drainTimeout = ListenLimits.checkedDrainTimeout(drainTimeout);
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

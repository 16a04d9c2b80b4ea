package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

import io.netty.handler.ssl.SslContext;
import io.netty.util.internal.PlatformDependent;

import org.rproxy.core.store.BodySpool;

/**
 * Settings of the front end (HTTP/1.1, and HTTP/2 with many streams per connection): where it
 * listens and the limits it enforces on every connection before a request reaches an
 * {@link AltoService}. Read once at start; each value is checked as {@code FrontEndChecks} says.
 *
 * @param host                 address to bind ({@code 0.0.0.0} for all, {@code 127.0.0.1} for loopback)
 * @param port                 TCP port, {@code 0} for an ephemeral one
 * @param maxInitialLineLength longest request line accepted; longer is answered 414
 * @param maxHeaderBytes       largest header section accepted; larger is answered 431
 * @param maxBodyBytes         largest request body accepted; larger is answered 413
 * @param idleTimeout          how long a connection may stay without a complete request, whether
 *                             idle between requests or dribbling one (RFC 9112 §9.5)
 * @param firstByteTimeout     how long a new connection may stay without sending a byte (a TLS
 *                             handshake's included); capped by {@code idleTimeout}. Shorter than
 *                             that, so that a flood of silent connections gives its places back soon
 * @param maxConnections       open connections served at once, whatever their protocol; one more is
 *                             answered 503
 * @param maxStreams           HTTP/2 streams a client may have open at once on one connection
 *                             ({@code SETTINGS_MAX_CONCURRENT_STREAMS}, RFC 9113 §6.5.2)
 * @param ioThreads            event-loop threads for connections, {@code 0} for one per core
 * @param dialectOf            the dialect of the errors the front end writes itself, by request path
 * @param sslContext           server TLS context, or null for plain HTTP
 * @param spool                where the store spools large bodies, or null: a body found there is
 *                             sent from its file by the kernel (sendfile) on plain HTTP/1.1
 *                             connections, and copied from memory under TLS and on HTTP/2
 * @param sendBufferBytes      the send buffer of every client connection ({@code SO_SNDBUF}), or
 *                             {@code 0} to leave it to the kernel's autotuning. A bounded buffer
 *                             bounds the kernel memory one connection can hold, and each
 *                             connection's throughput to about twice the size per round trip
 * @param maxBodyBytesHeld     the request-body bytes the server may hold at once while bodies
 *                             arrive, over all its connections (HTTP/1.1 and HTTP/2 alike); a body
 *                             that would pass it is answered 503 with {@code Retry-After}, and the
 *                             others go on. {@code 0} for {@link HeapShares#BODIES a share of
 *                             the heap}; else at least {@code maxBodyBytes}, so that one largest
 *                             body fits
 * @param maxUnfinishedStreams HTTP/2 streams whose request is not complete yet (its body or
 *                             trailers still to come), over all the server's connections; one
 *                             more is refused at its head with {@code RST_STREAM REFUSED_STREAM},
 *                             which a client may retry (RFC 9113 §8.7). A request complete in its
 *                             HEADERS (a GET) takes no place, and a stream whose request is
 *                             complete gives its place back however long its answer lasts: update
 *                             streams are not bounded here. The bound of what a client holds
 *                             cheaply: requests that never end, on up to {@code maxStreams}
 *                             streams of each connection
 * @param maxPendingSendBytes  the bytes of large answers the transport copies for each response
 *                             (over TLS, or computed) handed to connections and not yet through their
 *                             sockets, all connections together; past it an answer waits to be sent
 *                             ({@link BodyPump}). {@code 0} for a quarter of the direct-memory limit
 * @param maxAnswersHeld       the HTTP/2 streams of all connections whose answer is being made or
 *                             not yet all sent, each from its request's hand-over to the service
 *                             until its stream closes ({@link NodeAnswerPlaces}); past it a stream
 *                             waits, unstarted, each connection's in order; the last quarter is kept
 *                             for a connection's first place. {@code 0} for
 *                             {@link HeapShares#answers a share of the heap}; else at least
 *                             {@link #MIN_ANSWERS_HELD}, so that there is a reserve
 * @param maxConnectionsPerAddress open connections served at once from one client address (an
 *                             IPv6 client's /64, {@link AddressLimit}); one more is answered 503
 *                             as past {@code maxConnections}. {@code 0} for no such limit; else at
 *                             most {@code maxConnections}, or it could never apply
 * @param drainTimeout         how long a stop waits for the answers in progress to go out
 *                             before it cuts their connections ({@link AltoHttpServer#close})
 */
public record FrontEndConfig(String host, int port, int maxInitialLineLength, int maxHeaderBytes, int maxBodyBytes,
                             Duration idleTimeout, Duration firstByteTimeout, int maxConnections, int maxStreams,
                             int ioThreads, Function<String, Dialect> dialectOf, SslContext sslContext,
                             BodySpool spool, int sendBufferBytes, long maxBodyBytesHeld, int maxUnfinishedStreams,
                             long maxPendingSendBytes, int maxAnswersHeld, int maxConnectionsPerAddress,
                             Duration drainTimeout) {

    public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 4096;
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** The most connections one may allow (far beyond a process's file descriptors, far from int overflow). */
    public static final int MAX_CONNECTIONS = 10_000_000;
    /** Enough for a browser or a fan-out client; an update stream is one stream. */
    public static final int DEFAULT_MAX_STREAMS = 1_000;
    /**
     * As many as the default connections: every connection (HTTP/1.1 reads one request at a
     * time) may have one request arriving, and a few HTTP/2 connections many; about 25 MB of
     * heap at about 2.5 KB a stream, where {@code maxStreams} on every connection would be ten
     * million streams.
     */
    public static final int DEFAULT_MAX_UNFINISHED_STREAMS = 10_000;
    /** The fewest answers held one may allow: a quarter of them is the reserve for a connection's first, none below this. */
    public static final int MIN_ANSWERS_HELD = NodeAnswerPlaces.RESERVE_SHARE;
    /** The most answers held one may allow (far from int overflow, far beyond any heap). */
    public static final int MAX_ANSWERS_HELD = 10_000_000;
    /** Time for an answer in progress at a stop, well within a service manager's stop timeout (systemd's 30 s here). */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /** The drain's bounds: shorter cuts what a loaded node was about to send; longer holds a restart back. */
    public static final Duration MIN_DRAIN_TIMEOUT = Duration.ofMillis(100);
    public static final Duration MAX_DRAIN_TIMEOUT = Duration.ofMinutes(10);

    public FrontEndConfig {
        FrontEndChecks.listener(host, port);
        FrontEndChecks.requests(maxInitialLineLength, maxHeaderBytes, maxBodyBytes);
        FrontEndChecks.timeouts(idleTimeout, firstByteTimeout);
        FrontEndChecks.connections(maxConnections, maxStreams, ioThreads);
        requireNonNull(dialectOf, "dialectOf");
        FrontEndChecks.sendBuffer(sendBufferBytes);
        FrontEndChecks.nodeBudgets(maxBodyBytes, maxBodyBytesHeld, maxUnfinishedStreams, maxPendingSendBytes, maxAnswersHeld);
        FrontEndChecks.perAddress(maxConnectionsPerAddress, maxConnections);
        FrontEndChecks.drain(drainTimeout);
    }

    /** Without a spool. */
    public FrontEndConfig(String host, int port, int maxInitialLineLength, int maxHeaderBytes, int maxBodyBytes,
                          Duration idleTimeout, Duration firstByteTimeout, int maxConnections, int maxStreams,
                          int ioThreads, Function<String, Dialect> dialectOf, SslContext sslContext) {
        this(host, port, maxInitialLineLength, maxHeaderBytes, maxBodyBytes, idleTimeout, firstByteTimeout,
                maxConnections, maxStreams, ioThreads, dialectOf, sslContext, null, 0, 0, DEFAULT_MAX_UNFINISHED_STREAMS, 0, 0, 0,
                DEFAULT_DRAIN_TIMEOUT);
    }

    /** The default limits, JSON errors everywhere, plain HTTP, no spool. */
    public static FrontEndConfig defaults(String host, int port) {
        return new FrontEndConfig(host, port, DEFAULT_MAX_INITIAL_LINE_LENGTH, DEFAULT_MAX_HEADER_BYTES,
                DEFAULT_MAX_BODY_BYTES, DEFAULT_IDLE_TIMEOUT, DEFAULT_FIRST_BYTE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_STREAMS, 0, path -> Dialect.JSON, null, null, 0, 0, DEFAULT_MAX_UNFINISHED_STREAMS, 0, 0, 0,
                DEFAULT_DRAIN_TIMEOUT);
    }

    public FrontEndConfig withMaxBodyBytes(int bytes) {
        return with(b -> b.maxBodyBytes = bytes);
    }

    public FrontEndConfig withIdleTimeout(Duration timeout) {
        return with(b -> b.idleTimeout = timeout);
    }

    public FrontEndConfig withFirstByteTimeout(Duration timeout) {
        return with(b -> b.firstByteTimeout = timeout);
    }

    public FrontEndConfig withIoThreads(int threads) {
        return with(b -> b.ioThreads = threads);
    }

    public FrontEndConfig withMaxConnections(int connections) {
        return with(b -> b.maxConnections = connections);
    }

    public FrontEndConfig withMaxStreams(int streams) {
        return with(b -> b.maxStreams = streams);
    }

    public FrontEndConfig withDialectOf(Function<String, Dialect> dialects) {
        return with(b -> b.dialectOf = dialects);
    }

    public FrontEndConfig withSslContext(SslContext context) {
        return with(b -> b.sslContext = context);
    }

    public FrontEndConfig withSpool(BodySpool bodies) {
        return with(b -> b.spool = bodies);
    }

    /** The same with a send buffer of {@code bytes} per connection ({@code 0}: the kernel's autotuning). */
    public FrontEndConfig withSendBufferBytes(int bytes) {
        return with(b -> b.sendBufferBytes = bytes);
    }

    /** The same with at most {@code bytes} of request bodies held at once over all connections ({@code 0}: a share of the heap). */
    public FrontEndConfig withMaxBodyBytesHeld(long bytes) {
        return with(b -> b.maxBodyBytesHeld = bytes);
    }

    /** The same with at most {@code streams} HTTP/2 requests unfinished at once over all connections. */
    public FrontEndConfig withMaxUnfinishedStreams(int streams) {
        return with(b -> b.maxUnfinishedStreams = streams);
    }

    /** The same with at most {@code bytes} of copied answers pending over all connections ({@code 0}: a quarter of direct memory). */
    public FrontEndConfig withMaxPendingSendBytes(long bytes) {
        return with(b -> b.maxPendingSendBytes = bytes);
    }

    /** The same with at most {@code answers} held for HTTP/2 streams over all connections ({@code 0}: a share of the heap). */
    public FrontEndConfig withMaxAnswersHeld(int answers) {
        return with(b -> b.maxAnswersHeld = answers);
    }

    /** The same with at most {@code connections} open at once from one client address ({@code 0}: no such limit). */
    public FrontEndConfig withMaxConnectionsPerAddress(int connections) {
        return with(b -> b.maxConnectionsPerAddress = connections);
    }

    /** The same with a stop waiting {@code timeout} for the answers in progress. */
    public FrontEndConfig withDrainTimeout(Duration timeout) {
        return with(b -> b.drainTimeout = timeout);
    }

    /** A copy with {@code change} made to its fields, checked as any new one is. */
    private FrontEndConfig with(Consumer<FrontEndFields> change) {
        FrontEndFields f = new FrontEndFields(this);
        change.accept(f);
        return f.build();
    }

    /** {@link #maxBodyBytesHeld} as applied: when 0, the heap's share, and never less than one largest body. */
    long effectiveMaxBodyBytesHeld() {
        return maxBodyBytesHeld != 0 ? maxBodyBytesHeld : HeapShares.bodyBytes(Runtime.getRuntime().maxMemory(), maxBodyBytes);
    }

    /** {@link #maxPendingSendBytes} as applied: when 0, a quarter of the direct-memory limit (as the update streams' bound). */
    long effectiveMaxPendingSendBytes() {
        return maxPendingSendBytes != 0 ? maxPendingSendBytes : Math.max(BodyPump.PART_BYTES, PlatformDependent.maxDirectMemory() / 4);
    }

    /** {@link #maxAnswersHeld} as applied: when 0, {@link HeapShares#answers} of this JVM's heap. */
    int effectiveMaxAnswersHeld() {
        return maxAnswersHeld != 0 ? maxAnswersHeld : HeapShares.answers(Runtime.getRuntime().maxMemory());
    }

    /** The first-byte timeout as applied: never longer than the idle timeout. */
    Duration effectiveFirstByteTimeout() {
        return firstByteTimeout.compareTo(idleTimeout) < 0 ? firstByteTimeout : idleTimeout;
    }

    /** The dialect of a front-end error for {@code path}; JSON when the mapping has no answer. */
    Dialect dialectFor(String path) {
        Dialect d = dialectOf.apply(path);
        return d == null ? Dialect.JSON : d;
    }
}

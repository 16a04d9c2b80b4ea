package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;

import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The HTTP front end: listens on one address and answers every request, whether it came as
 * HTTP/1.1 or as an HTTP/2 stream (see {@link AltoChannelInitializer}), through one
 * {@link AltoService}, writing prepared representations (200, 304, HEAD, gzip), ALTO errors, and
 * the front end's own refusals (limits, methods, overload, idle connections).
 *
 * <p>{@link #start} binds before returning; {@link #close} stops accepting and drains: idle
 * connections close at once (an HTTP/2 one after its two GOAWAYs, {@link GracefulGoAway}), event
 * streams end, and requests in progress are answered (with
 * {@code Connection: close}) for up to {@link FrontEndConfig#drainTimeout} (five seconds unless
 * configured), an HTTP/2 stream whose request is still
 * arriving being refused for its client to retry ({@link UnfinishedRequest}); whatever is still
 * open then is cut,
 * and the event loops shut down. So a proxy restarted behind a load balancer loses no answer it
 * had begun. Thread-safe.
 */
public final class AltoHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AltoHttpServer.class);
    /**
     * Connections the kernel may hold for us before we accept them: a burst of new clients, or
     * those waiting while accepting is paused at the descriptor ceiling, queue here rather than
     * see their SYN dropped (the kernel caps it at {@code net.core.somaxconn}, 4096 by default).
     */
    private static final int BACKLOG = 4096;
    private static final Duration SHUTDOWN_QUIET = Duration.ZERO;
    /** The bound of each step of a stop but the drain (the listener's close, the event loops' end). */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);
    private static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final ChannelGroup connections;
    private final NodeBodyBudget bodies;
    private final NodeSendBudget sends;
    private final AltoChannelInitializer initializer;
    private final Duration drainTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AltoHttpServer(EventLoopGroup acceptor, EventLoopGroup workers, Channel listener, ChannelGroup connections,
                           NodeBodyBudget bodies, NodeSendBudget sends, AltoChannelInitializer initializer,
                           Duration drainTimeout) {
        this.acceptor = acceptor;
        this.workers = workers;
        this.listener = listener;
        this.connections = connections;
        this.bodies = bodies;
        this.sends = sends;
        this.initializer = initializer;
        this.drainTimeout = drainTimeout;
    }

    /** Starts serving, observing nothing. */
    public static AltoHttpServer start(FrontEndConfig config, AltoService service) {
        return start(config, service, RequestObserver.noop());
    }

    /**
     * Binds {@code config.host():config.port()} and starts serving.
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public static AltoHttpServer start(FrontEndConfig config, AltoService service, RequestObserver observer) {
        return start(config, service, observer, Clock.systemUTC());
    }

    static AltoHttpServer start(FrontEndConfig config, AltoService service, RequestObserver observer, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(service, "service");
        requireNonNull(observer, "observer");
        requireNonNull(clock, "clock");
        Transport transport = Transport.current();
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("rproxy-accept"), transport.ioHandlerFactory());
        // one event loop per core by default, as nginx's worker_processes auto: more only adds
        // context switches, since an event loop never blocks
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("rproxy-io"), transport.ioHandlerFactory());
        ChannelGroup connections = new DefaultChannelGroup("rproxy-connections", GlobalEventExecutor.INSTANCE);
        NodeBodyBudget bodies = new NodeBodyBudget(config.effectiveMaxBodyBytesHeld());
        NodeSendBudget sends = new NodeSendBudget(config.effectiveMaxPendingSendBytes());
        AltoChannelInitializer initializer = new AltoChannelInitializer(config, service, observer,
                new ResponseRenderer(clock), new ConnectionLimit(config.maxConnections()), bodies, sends,
                new NodeAnswerPlaces(config.effectiveMaxAnswersHeld()));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new AcceptGuard(connections, new RateLimitedLog(WARNING_INTERVAL),
                        config.maxConnections() + 2 * AltoChannelInitializer.MAX_LINGERING))
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that sends its requests and closes its side still reads the answers.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(initializer);
        if (config.sendBufferBytes() > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, config.sendBufferBytes());
        }
        ChannelFuture bind = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            shutdown(acceptor, workers);
            Throwable cause = bind.cause();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": " + cause,
                    cause);
        }
        AltoHttpServer server = new AltoHttpServer(acceptor, workers, bind.channel(), connections, bodies, sends,
                initializer, config.drainTimeout());
        LOG.info("listening on {} ({}, {} event loop{}, send buffer {})", server.localAddress(), transport, threads,
                threads == 1 ? "" : "s",
                config.sendBufferBytes() > 0 ? config.sendBufferBytes() + " bytes per connection" : "autotuned");
        return server;
    }

    /** The bound address (with the actual port when 0 was asked). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * The request-body bytes held now while bodies arrive, over all connections: what the
     * {@code rproxy_request_body_bytes} gauge shows. Any thread.
     */
    public long requestBodyBytes() {
        return bodies.held();
    }

    /**
     * Request bodies answered 503 so far because the server's bound on bodies held or their
     * connection's had no room for them: the {@code rproxy_request_bodies_refused_total} counter.
     * Any thread.
     */
    public long requestBodiesRefused() {
        return bodies.refused();
    }

    /** The most {@link #requestBodyBytes} may be ({@link FrontEndConfig#maxBodyBytesHeld} as applied). */
    public long maxRequestBodyBytes() {
        return bodies.limit();
    }

    /**
     * The bytes of large answers the transport copies (TLS, computed) handed to connections and
     * not yet through their sockets: the {@code rproxy_answers_pending_bytes} gauge. Any thread.
     */
    public long pendingSendBytes() {
        return sends.pending();
    }

    /** The most {@link #pendingSendBytes} may be, give or take a part per event loop ({@link FrontEndConfig#maxPendingSendBytes} as applied). */
    public long maxPendingSendBytes() {
        return sends.max();
    }

    /** The times an answer waited for {@link #pendingSendBytes} to drain: {@code rproxy_answers_deferred_total}. */
    public long sendsDeferred() {
        return sends.deferred();
    }

    /** HTTP/2 streams whose answer is being made or not yet all sent, over all connections: {@code rproxy_answers_held}. Any thread. */
    public int answersHeld() {
        return initializer.answers().held();
    }

    /** The most {@link #answersHeld} may be ({@link FrontEndConfig#maxAnswersHeld} as applied). */
    public int maxAnswersHeld() {
        return initializer.answers().max();
    }

    /** The times a stream waited for a place among {@link #answersHeld}: {@code rproxy_answers_held_waits_total}. */
    public long answersHeldWaits() {
        return initializer.answers().waits();
    }

    /**
     * HTTP/2 streams refused so far at their head ({@code RST_STREAM REFUSED_STREAM}) because the
     * server had {@link FrontEndConfig#maxUnfinishedStreams} unfinished requests already: what
     * the {@code rproxy_unfinished_streams_refused_total} counter shows. Any thread.
     */
    public long unfinishedStreamsRefused() {
        return initializer.unfinishedStreamsRefused();
    }

    /**
     * Queries not computed because their client had left (its HTTP/1.1 connection closed, its
     * HTTP/2 stream reset) before their turn on the query pool came ({@link ClientWait}): what the
     * {@code rproxy_queries_skipped_total} counter shows. Any thread.
     */
    public long queriesSkipped() {
        return initializer.queriesSkipped();
    }

    /**
     * HTTP/2 streams whose request is still arriving now (a head without {@code END_STREAM}, a
     * body not ended), over all connections: what the {@code rproxy_unfinished_streams} gauge
     * shows, read from the count the bound keeps anyway. Any thread.
     */
    public int unfinishedStreams() {
        return initializer.unfinishedStreams();
    }

    /** The most {@link #unfinishedStreams} may be ({@link FrontEndConfig#maxUnfinishedStreams}). */
    public int maxUnfinishedStreams() {
        return initializer.maxUnfinishedStreams();
    }

    /**
     * Connections refused so far (503, or GOAWAY to an HTTP/2 client) because their client's address, or its IPv6 /64,
     * had {@link FrontEndConfig#maxConnectionsPerAddress} open already: what the
     * {@code rproxy_connections_per_address_refused_total} counter shows. Any thread.
     */
    public long connectionsRefusedPerAddress() {
        return initializer.perAddress().refused();
    }

    /** The per-address counts (tests). */
    AddressLimit perAddress() {
        return initializer.perAddress();
    }

    /** Waits until every connection accepted so far has closed; false if some are still open (tests). */
    boolean awaitConnectionsClosed(Duration timeout) {
        return connections.newCloseFuture().awaitUninterruptibly(timeout.toMillis()) && connections.isEmpty();
    }

    /** The connections open now (tests). */
    List<Channel> openConnections() {
        return List.copyOf(connections);
    }

    /** The send buffer of each open connection as the kernel reports it, doubled on Linux (tests). */
    List<Integer> connectionSendBuffers() {
        return connections.stream().map(c -> c.config().getOption(ChannelOption.SO_SNDBUF)).toList();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        InetSocketAddress address = localAddress();
        listener.close().awaitUninterruptibly(SHUTDOWN_WAIT.toMillis());
        StopDrain.run(connections, drainTimeout, address);
        connections.close().awaitUninterruptibly(SHUTDOWN_WAIT.toMillis());
        shutdown(acceptor, workers);
        LOG.info("stopped listening on {}", address);
    }

    private static void shutdown(EventLoopGroup acceptor, EventLoopGroup workers) {
        Future<?> a = acceptor.shutdownGracefully(SHUTDOWN_QUIET.toMillis(), SHUTDOWN_WAIT.toMillis(),
                TimeUnit.MILLISECONDS);
        Future<?> w = workers.shutdownGracefully(SHUTDOWN_QUIET.toMillis(), SHUTDOWN_WAIT.toMillis(),
                TimeUnit.MILLISECONDS);
        a.awaitUninterruptibly(SHUTDOWN_WAIT.toMillis());
        w.awaitUninterruptibly(SHUTDOWN_WAIT.toMillis());
    }
}

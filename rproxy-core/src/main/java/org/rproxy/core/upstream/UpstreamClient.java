package org.rproxy.core.upstream;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.server.Transport;
import org.rproxy.core.tls.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 client towards one upstream (an origin or another RProxy): a small pool of
 * keep-alive connections ({@link FixedChannelPool}), one request at a time per connection, each
 * response's body copied into one heap array as it arrives, up to a size limit, and handed over
 * as an {@link UpstreamResponse} ({@link UpstreamHandler}: the network buffers are released as
 * they are copied, so a response is held once), each request written by a {@link RequestWriter}.
 * Nothing is decoded: a gzip body stays gzip, because the origin's digest covers the encoded bytes.
 *
 * <p>A request finding every connection busy waits in a queue bounded by what the connections get
 * through within the timeout ({@link ConnectionWait#maxPendingAcquires}); one more fails at once as busy.
 *
 * <p>Thread-safe; {@link #send} may be called from any thread and never blocks. Each exchange has
 * a deadline; a connection that fails, times out or is not kept alive by the server is closed and
 * left out of the pool. A request that meets a kept-alive connection the server had just closed or
 * reset is sent once more on a fresh one (RFC 9112 §9.3.1: the requests are safe, RFC 9110
 * §9.2.2); a server that had read it then sees it twice. {@link #close} closes every connection
 * and stops the client's event loop.
 *
 * <p>Cancelling the future {@link #send} returned gives the request up: a request still waiting
 * for a connection never takes one, and one under way has its connection closed (the answer may
 * yet come on it) and left out of the pool at once, what it received dropped. A caller that stops
 * waiting at a bound of its own (the signing front's poll) so frees the connection then, instead
 * of holding it until the answer or the timeout. Nothing else changes: a caller that does not
 * cancel, or cancels a future derived from this one, sees the exchange run to its end.
 *
 * <p>The upstream's host name is looked up for each new connection off the event loop
 * ({@link NameLookup}: a slow lookup on the loop would stall every exchange and deadline on it),
 * and a lookup that has not ended within the timeout fails the request as unreachable.
 */
public final class UpstreamClient implements Upstream, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);
    /**
     * How to reach the upstream.
     *
     * @param host           upstream host: a name or an address (an IPv6 literal with or without
     *                       the brackets a URI gives it, which are taken off)
     * @param port           upstream port
     * @param sslContext     client TLS context for https, or null
     * @param connections    pooled connections at most
     * @param connectTimeout how long a connection attempt may take
     * @param timeout        how long a whole exchange may take, from asking for a connection (waiting
     *                       for a busy pool and connecting included) to the last byte of the answer
     * @param maxBody        the largest response body accepted
     * @param ioThreads      event-loop threads (1 is plenty for one upstream)
     */
    public record Settings(String host, int port, SslContext sslContext, int connections, Duration connectTimeout,
                           Duration timeout, int maxBody, int ioThreads) {
        public Settings {
            host = Address.bare(requireNonNull(host, "host"));
            requireNonNull(connectTimeout, "connectTimeout");
            requireNonNull(timeout, "timeout");
            if (connections < 1) {
                throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
            }
            if (maxBody < 1) {
                throw new IllegalArgumentException("maxBody: " + maxBody + " (expected: >= 1)");
            }
        }

        /**
         * Settings for the server of {@code url} ({@code http} or {@code https}; the default port
         * when none is given), an https server checked against the PEM certificates in {@code ca}
         * (null: the JDK's trust store) and for its host name, one I/O thread.
         */
        public static Settings of(URI url, Path ca, int connections, Duration timeout, int maxBody) {
            requireNonNull(url, "url");
            boolean https = "https".equalsIgnoreCase(url.getScheme());
            if (!https && !"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("url: " + url + " (expected: http(s)://host:port/path)");
            }
            return new Settings(url.getHost(), UpstreamConfig.port(url), https ? Tls.client(ca) : null, connections,
                    timeout, timeout, maxBody, 1);
        }
    }

    private final Settings settings;
    private final ConnectionWait wait;
    private final String hostHeader;
    private final EventLoopGroup group;
    private final FixedChannelPool pool;
    private final RequestWriter writer;
    /** Every connection made, while open (closed ones leave); one made after {@link #close} is closed at once. */
    private final ChannelGroup connections = new DefaultChannelGroup("rproxy-upstream", GlobalEventExecutor.INSTANCE,
            true);
    private final AtomicBoolean closed = new AtomicBoolean();

    private UpstreamClient(Settings settings, ByteBufAllocator allocator, NameLookup lookup) {
        this.settings = settings;
        this.hostHeader = Address.authority(settings.host(), settings.port());
        this.wait = new ConnectionWait(settings.connections(), settings.timeout(), hostHeader);
        // NIO: a handful of connections to the upstream gain nothing from the native transport,
        // which only the front end, with its thousands of clients, needs
        this.group = new MultiThreadIoEventLoopGroup(Math.max(1, settings.ioThreads()),
                new DefaultThreadFactory("rproxy-upstream", true), Transport.NIO.ioHandlerFactory());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(Transport.NIO.socketChannel())
                .remoteAddress(settings.host(), settings.port())
                .resolver(lookup.group(settings.timeout())) // never on the loop: NameLookup
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.connectTimeout().toMillis()));
        if (allocator != null) {
            bootstrap.option(ChannelOption.ALLOCATOR, allocator);
        }
        this.pool = new FixedChannelPool(bootstrap, new UpstreamPipeline(settings, hostHeader, connections),
                UpstreamExchange.HEALTH,
                FixedChannelPool.AcquireTimeoutAction.FAIL, settings.timeout().toMillis(), settings.connections(),
                wait.maxPending(), true, true);
        this.writer = new RequestWriter(hostHeader, settings.timeout(), pool);
    }

    public static UpstreamClient start(Settings settings) {
        return new UpstreamClient(requireNonNull(settings, "settings"), null, NameLookup.SYSTEM);
    }

    /** Starts with its connections taking their buffers from {@code allocator} (tests count them). */
    static UpstreamClient start(Settings settings, ByteBufAllocator allocator) {
        return new UpstreamClient(requireNonNull(settings, "settings"), requireNonNull(allocator, "allocator"),
                NameLookup.SYSTEM);
    }

    /** Starts with the upstream's name looked up by {@code lookup} (tests hold the lookup). */
    static UpstreamClient start(Settings settings, NameLookup lookup) {
        return new UpstreamClient(requireNonNull(settings, "settings"), null, requireNonNull(lookup, "lookup"));
    }

    /** The event loop of the client's connections (with one I/O thread, as tests start it). */
    EventLoop eventLoop() {
        return group.next();
    }

    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
        requireNonNull(request, "request");
        CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new UpstreamException("client closed", null, UpstreamException.Kind.STOPPED));
            return result;
        }
        CompletableFuture<UpstreamResponse> answer = new CompletableFuture<>();
        result.whenComplete((response, failure) -> {
            if (failure == null) {
                answer.complete(response);
            } else {
                // A request its own client's close cut (a pool closed under its wait, a connection
                // closed under its exchange) is told so, not that the upstream failed. Wrapped as a
                // dependent stage's failure is, as callers have always been handed it.
                Throwable cause = failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : failure;
                answer.completeExceptionally(new CompletionException(
                        closed.get() && !(cause instanceof CancellationException)
                                ? new UpstreamException("client closed: " + cause.getMessage(), cause,
                                UpstreamException.Kind.STOPPED) : cause));
            }
        });
        // The caller's cancel reaches the request (the class's Javadoc says what it does).
        answer.whenComplete((response, failure) -> {
            if (answer.isCancelled()) {
                result.cancel(false);
            }
        });
        attempt(request, result, true, System.nanoTime() + settings.timeout().toNanos());
        return answer;
    }

    /**
     * One try; {@code deadline} ({@link System#nanoTime}) is the send's, so the wait for a
     * connection and the exchange together never take longer than {@code timeout}: the exchange's
     * timer counts what is left of it, and so does a retry's wait for a connection (the pool's
     * acquire timeout, the lookup's bound and the connect timeout, each counted from when it
     * begins, bound the first try's; a retry's wait would outlast the send by as much as it began late).
     */
    private void attempt(UpstreamRequest request, CompletableFuture<UpstreamResponse> result, boolean mayRetry,
                         long deadline) {
        Future<Channel> acquired;
        try {
            acquired = pool.acquire();
        } catch (RuntimeException e) {
            result.completeExceptionally(wait.failure(e, closed.get()));
            return;
        }
        ScheduledFuture<?> giveUp = mayRetry ? null : group.next().schedule(() -> result.completeExceptionally(
                writer.noAnswer()), Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        acquired.addListener(f -> {
            if (giveUp != null) {
                giveUp.cancel(false);
            }
            if (!f.isSuccess()) {
                result.completeExceptionally(wait.failure(f.cause(), closed.get()));
                return;
            }
            Channel ch = (Channel) f.getNow();
            if (result.isDone()) {
                pool.release(ch); // the send's deadline passed while the retry waited for it
                return;
            }
            boolean reused = Boolean.TRUE.equals(ch.attr(UpstreamExchange.USED).get());
            CompletableFuture<UpstreamResponse> one = new CompletableFuture<>();
            one.whenComplete((response, failure) -> {
                if (failure == null) {
                    result.complete(response);
                } else if (mayRetry && reused && failure instanceof UpstreamException u && u.closedBeforeResponse()) {
                    attempt(request, result, false, deadline);
                } else {
                    result.completeExceptionally(failure);
                }
            });
            UpstreamExchange ex = writer.write(ch, request, one, deadline);
            // given up by its caller (cancelled): the exchange ends now, not at its deadline
            result.whenComplete((response, failure) -> {
                if (result.isCancelled()) {
                    ex.abandon();
                }
            });
        });
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            pool.closeAsync().awaitUninterruptibly(5, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            LOG.debug("closing the upstream pool", e);
        }
        // The connections in use are closed here, not left to the event loop's shutdown: Netty 4.2's
        // loop closes the connections still registered only if the shutdown request finds it before
        // it runs its tasks, and with no quiet period a request that comes while they run ends it
        // without closing them. Such a connection's exchange never failed, and what it held (half a
        // TLS record in its SslHandler) was never released: a LEAK report once the collector came.
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}

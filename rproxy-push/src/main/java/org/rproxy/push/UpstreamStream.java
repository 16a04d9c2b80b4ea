package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.server.Transport;
import org.rproxy.core.upstream.InterimResponses;
import org.rproxy.core.upstream.NameLookup;

/**
 * One subscription to an upstream update stream over Netty, over TLS when given a client context
 * (which checks the certificate and the host name; a failed handshake ends the attempt before a
 * byte of the request is sent): {@code POST}s the stream parameters and hands every byte of a
 * {@code 200 text/event-stream} answer to the {@link Listener}, copied out of Netty's buffers
 * (which are released here). A stream silent for longer than the read timeout while it is read
 * is closed, which is how a half-open connection is found: heartbeats stop arriving. No
 * parsing happens on the event loop; the listener hands the bytes to the feed's thread.
 *
 * <p>Interim responses before the answer follow {@link InterimResponses}: a 1xx is skipped, a 101
 * (no upgrade is asked for) ends the attempt; more than {@link #MAX_INTERIM} of them end it too.
 *
 * <p>The read timeout, reset by every byte, does not bound the opening: an upstream that sent a
 * 103 every few seconds, or a 200 and then heartbeats without the control event, held the feed
 * there for good, with no failover. So the stream must also be {@link #accepted} (its first
 * control event taken by the feed) within the read timeout of the connection, or it is closed.
 *
 * <p>Reading pauses ({@link #pause}) while the listener has more than {@link #MAX_UNPROCESSED}
 * bytes it has not yet processed, so a slow feed thread holds the upstream back instead of
 * filling memory. The read timeout pauses with it and starts afresh when reading resumes: while
 * nothing is read because the feed is busy (verifying a large map, handing it on), the silence is
 * the feed's, not the upstream's. Counted, a feed busy for longer than the read timeout with a
 * large map waiting had its healthy stream dropped as silent, and reconnected or failed over.
 */
final class UpstreamStream {

    static final long MAX_UNPROCESSED = 8L * 1024 * 1024;

    /**
     * The transport of stream connections, which the event loop group they are opened on must be
     * of ({@link FeedNetwork}'s is): NIO, as core's {@code UpstreamClient} chooses for every
     * connection to an upstream. One or a few connections gain nothing from the native transport,
     * which the front end, with its thousands of clients, uses where it loads.
     */
    static final Transport TRANSPORT = Transport.NIO;

    /** The most interim (1xx) responses skipped before the answer; one more ends the attempt. */
    static final int MAX_INTERIM = 8;

    /** Told what happens on the stream; called on the event loop, must hand off at once. */
    interface Listener {
        void opened();

        void bytes(byte[] data);

        /**
         * The upstream refused the subscription with this ALTO error (a {@code 4xx} or {@code 5xx}
         * with an error body); {@link #closed} follows.
         */
        void refused(AltoError error);

        /**
         * The connection closed: {@link StreamEnd#ended} when the upstream ended the response
         * cleanly, as a stopping node does, else {@link StreamEnd#broken} with the reason.
         */
        void closed(StreamEnd end);
    }

    /** The read timeout's name in the pipeline: taken out while reading is paused, put back on resuming. */
    private static final String TIMEOUT = "timeout";

    private final Channel channel;
    private final UpstreamStreamHandler handler;
    private final Duration readTimeout;
    /** Reading is paused; written on the event loop only. */
    private volatile boolean paused;

    private UpstreamStream(Channel channel, UpstreamStreamHandler handler, Duration readTimeout) {
        this.channel = channel;
        this.handler = handler;
        this.readTimeout = readTimeout;
    }

    /**
     * Connects and subscribes; returns at once.
     *
     * @param tls client TLS context for an {@code https} stream URI, null for {@code http}
     */
    static UpstreamStream open(EventLoopGroup group, URI stream, SslContext tls, byte[] body, Duration readTimeout,
                               Listener listener) {
        return open(group, stream, tls, body, readTimeout, listener, null);
    }

    /** {@link #open} with the connection taking its buffers from {@code allocator} (null: Netty's default; tests count them). */
    static UpstreamStream open(EventLoopGroup group, URI stream, SslContext tls, byte[] body, Duration readTimeout,
                               Listener listener, ByteBufAllocator allocator) {
        return open(group, stream, tls, body, readTimeout, listener, allocator, NameLookup.SYSTEM);
    }

    /**
     * {@link #open} with the stream's host looked up by {@code lookup} (tests hold the lookup): off
     * the event loop, within the read timeout, the deadline of the opening.
     */
    static UpstreamStream open(EventLoopGroup group, URI stream, SslContext tls, byte[] body, Duration readTimeout,
                               Listener listener, ByteBufAllocator allocator, NameLookup lookup) {
        requireNonNull(listener, "listener");
        int port = UpstreamConfig.port(stream);
        String host = Address.bare(stream.getHost()); // [::1] in the URI, ::1 to look up and to check the certificate for
        String target = stream.getRawPath() + (stream.getRawQuery() == null ? "" : "?" + stream.getRawQuery());
        UpstreamStreamHandler handler = new UpstreamStreamHandler(request(Address.authority(host, port), target, body),
                listener, readTimeout);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(TRANSPORT.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, Math.max(1000, readTimeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port));
                        }
                        ch.pipeline().addLast("http", new HttpClientCodec());
                        ch.pipeline().addLast(TIMEOUT, readTimeout(readTimeout));
                        ch.pipeline().addLast("stream", handler);
                    }
                });
        if (allocator != null) {
            b.option(ChannelOption.ALLOCATOR, allocator);
        }
        // Registered, then its host looked up off the loop (NameLookup), then connected: Netty's
        // own resolver would look it up on the loop, stalling every stream on it meanwhile.
        ChannelFuture registered = b.register();
        Channel ch = registered.channel();
        registered.addListener(r -> {
            if (!r.isSuccess()) {
                listener.closed(StreamEnd.broken("connect failed: " + TransportFailures.reason(r.cause())));
                return;
            }
            lookup.resolve(ch.eventLoop(), host, port, readTimeout).addListener(a -> {
                if (!a.isSuccess()) {
                    ch.close(); // never active: its handler tells nothing, so this does
                    listener.closed(StreamEnd.broken("connect failed: " + (a.cause() instanceof NameLookup.TimedOut
                            ? a.cause().getMessage() : TransportFailures.reason(a.cause()))));
                    return;
                }
                ch.connect((InetSocketAddress) a.getNow()).addListener(f -> {
                    if (!f.isSuccess()) {
                        ch.close();
                        listener.closed(StreamEnd.broken("connect failed: " + TransportFailures.reason(f.cause())));
                    }
                });
            });
        });
        return new UpstreamStream(ch, handler, readTimeout);
    }

    private static ReadTimeoutHandler readTimeout(Duration readTimeout) {
        return new ReadTimeoutHandler(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static FullHttpRequest request(String authority, String target, byte[] body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, authority);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, MediaTypes.UPDATE_STREAM_PARAMS);
        r.headers().set(HttpHeaderNames.ACCEPT, MediaTypes.EVENT_STREAM);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    /**
     * Pauses reading, and the read timeout with it (taken out of the pipeline), until
     * {@link #resume}. On the event loop: the listener calls it as it is handed the bytes.
     */
    void pause() {
        if (paused || !channel.isActive()) {
            return; // once closed, the channel has left its selector: autoRead is not to be changed
        }
        paused = true;
        channel.config().setAutoRead(false);
        if (channel.pipeline().get(TIMEOUT) != null) {
            channel.pipeline().remove(TIMEOUT);
        }
    }

    /**
     * Resumes reading paused by {@link #pause}, with a read timeout counted afresh from now; any
     * thread (the change is made on the event loop). Costs nothing when reading is not paused. A
     * pause the feed's thread has not seen yet is followed by the bytes it handed over, after
     * which the feed calls this again.
     */
    void resume() {
        if (!paused) {
            return;
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            resumeNow();
            return;
        }
        try {
            loop.execute(this::resumeNow);
        } catch (RejectedExecutionException e) {
            // the feed is closing
        }
    }

    private void resumeNow() {
        if (!paused) {
            return;
        }
        paused = false;
        if (channel.isActive()) {
            channel.pipeline().addBefore("stream", TIMEOUT, readTimeout(readTimeout));
            channel.config().setAutoRead(true);
        }
    }

    void close() {
        channel.close();
    }

    /** The connection, for {@link FeedNetwork} to close with the others when it closes. */
    Channel channel() {
        return channel;
    }

    /** The feed took the stream's first control event: the opening's deadline is met. Any thread. */
    void accepted() {
        handler.accepted = true;
    }
}

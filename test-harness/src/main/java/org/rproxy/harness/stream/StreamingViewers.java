package org.rproxy.harness.stream;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.rproxy.core.model.MediaTypes;

/**
 * The streaming-viewers load: many subscribers of one proxy's update stream ({@code POST
 * /updates}, RFC 8895), each an HTTP/2 stream, spread round-robin over a few HTTP/2 connections
 * (cleartext, prior knowledge). Each is a {@link Subscriber} that applies and verifies every
 * update it receives and reports to the {@link Audience}. Opening is paced: at most
 * {@link #OPENING} subscriptions wait for their answer at once, so the proxy sees a steady join,
 * not 20,000 requests in one read. The client runs on its own event loops.
 */
public final class StreamingViewers implements AutoCloseable {
    /** Subscriptions waiting for their response head at once. */
    static final int OPENING = 256;
    /** Flow-control windows this client grants: a stream's initial documents and a connection's burst pass without a round trip. */
    private static final int STREAM_WINDOW = 1 << 20;
    private static final int CONNECTION_WINDOW = 16 << 20;

    private final EventLoopGroup group;
    private final List<Channel> connections = new ArrayList<>();
    private final Audience audience;
    private final String authority;
    private final byte[] body;
    private final Semaphore opening = new Semaphore(OPENING);
    private int opened;

    /**
     * @param proxy       the proxy's address
     * @param connections HTTP/2 connections to spread the subscribers over
     * @param ioThreads   the client's event-loop threads
     * @param body        the stream parameters every subscriber sends (an {@code add} for each substream)
     */
    public StreamingViewers(InetSocketAddress proxy, int connections, int ioThreads, Audience audience, byte[] body)
            throws InterruptedException {
        requireNonNull(proxy, "proxy");
        if (connections < 1) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
        }
        this.audience = requireNonNull(audience, "audience");
        this.body = body.clone();
        this.authority = proxy.getHostString() + ":" + proxy.getPort();
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("viewers-h2"),
                NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW))
                                .build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new Ignore()));
                        ch.pipeline().addLast(new ConnectionWindow());
                    }
                });
        try {
            for (int i = 0; i < connections; i++) {
                this.connections.add(b.connect(proxy).sync().channel());
            }
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Opens {@code n} more subscriptions, round-robin over the connections; returns once each has
     * been sent (not answered: see {@link Audience#awaitAttached}).
     *
     * @throws IllegalStateException when the subscriptions could not be sent within {@code limit}
     */
    public void subscribe(int n, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (int i = 0; i < n; i++) {
            if (!opening.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("only " + opened + " subscriptions sent within " + limit
                        + " (the proxy answers too slowly)");
            }
            open(connections.get(opened % connections.size()), opened);
            opened++;
        }
    }

    private void open(Channel connection, int index) {
        AtomicBoolean released = new AtomicBoolean();
        Runnable headSeen = () -> {
            if (released.compareAndSet(false, true)) {
                opening.release();
            }
        };
        Subscriber s = new Subscriber(audience, index, headSeen);
        new Http2StreamChannelBootstrap(connection).handler(s).open().addListener(f -> {
            if (!f.isSuccess()) {
                audience.refused("cannot open a stream: " + f.cause());
                headSeen.run();
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            Http2Headers h = new DefaultHttp2Headers().method("POST").path("/updates").scheme("http")
                    .authority(authority);
            h.set("content-type", MediaTypes.UPDATE_STREAM_PARAMS);
            h.set("accept", "text/event-stream");
            h.setInt("content-length", body.length);
            stream.write(new DefaultHttp2HeadersFrame(h, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
        });
    }

    @Override
    public void close() {
        audience.closing();
        for (Channel c : connections) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Grants the connection-level window once the connection is up; drops the frames the multiplexer passes on. */
    private static final class ConnectionWindow extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Streams the server would open (it opens none). */
    @ChannelHandler.Sharable
    private static final class Ignore extends ChannelInboundHandlerAdapter {
    }
}

package org.rproxy.core.server;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

/**
 * A Netty HTTP/2 client over one real connection, for the front end's tests: cleartext with prior
 * knowledge, or TLS (the context says which ALPN names to offer). Each {@link #open} starts a
 * stream and returns a {@link Call} that collects the answer as it arrives. Every buffer is copied
 * out and released on the client's event loop.
 */
final class Http2TestClient implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();
    /** The last stream id of each GOAWAY of the server, in order (a graceful stop sends two: RFC 9113 §6.8). */
    private final List<Long> goAways = new CopyOnWriteArrayList<>();
    /** PINGs sent and not acknowledged yet, by their data. */
    private final Map<Long, CompletableFuture<Void>> pings = new ConcurrentHashMap<>();
    private final AtomicLong nextPing = new AtomicLong();
    private final Channel channel;
    /**
     * Every stream opened, closed with the client: a stream the server reset whose frames were
     * never read is no longer active, so Netty's multiplexer does not close it when the connection
     * closes, and the pooled buffers of its queued DATA frames would leak.
     */
    private final List<Http2StreamChannel> streams = new CopyOnWriteArrayList<>();

    Http2TestClient(InetSocketAddress server, SslContext tls) {
        this(server, tls, Http2Settings.defaultSettings());
    }

    /** @param local the client's own settings: a small initial window makes a slow reader */
    Http2TestClient(InetSocketAddress server, SslContext tls, Http2Settings local) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (tls != null) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc(), server.getHostString(), server.getPort()));
                }
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(local).build());
                ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                ch.pipeline().addLast(new ConnectionFrames());
            }
        });
        channel = b.connect(server).syncUninterruptibly().channel();
    }

    Channel channel() {
        return channel;
    }

    /** The server's first SETTINGS. */
    Http2Settings settings() throws Exception {
        return settings.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last stream id of the server's (first) GOAWAY, once one came. */
    CompletableFuture<Long> goAway() {
        return goAway;
    }

    /** The last stream id of every GOAWAY read so far, in order. */
    List<Long> goAways() {
        return List.copyOf(goAways);
    }

    /**
     * A PING round trip (RFC 9113 §6.7): once it returns, the server has read every frame this
     * client sent before it and handled it on its event loop, and whatever it wrote in answer came
     * before the acknowledgement, so it has been seen here. Frames still held back by flow
     * control are not "sent before" it.
     */
    void ping() throws Exception {
        long data = nextPing.incrementAndGet();
        CompletableFuture<Void> ack = new CompletableFuture<>();
        pings.put(data, ack);
        channel.writeAndFlush(new DefaultHttp2PingFrame(data)).syncUninterruptibly();
        ack.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Opens a stream and sends a request: {@code GET} (no body) or anything with a UTF-8 body. */
    Call open(String method, String path, String body, String... headerPairs) {
        Http2Headers h = headers(method, path);
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.add(headerPairs[i], headerPairs[i + 1]);
        }
        Call call = newCall();
        if (body == null) {
            call.stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
        } else {
            call.stream.write(new DefaultHttp2HeadersFrame(h, false));
            call.stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
        }
        return call;
    }

    /**
     * Opens a stream for a {@code GET} that reads nothing until {@link Call#stream}'s
     * {@code read()} is called: the stream's window is given back only for what was read.
     */
    Call openPaused(String path) {
        Call call = new Call();
        call.stream = new Http2StreamChannelBootstrap(channel).option(ChannelOption.AUTO_READ, false).handler(call)
                .open().syncUninterruptibly().getNow();
        streams.add(call.stream);
        call.stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers("GET", path), true));
        return call;
    }

    /** Opens a stream and sends only a request head, without END_STREAM: a body that never comes. */
    Call openUnfinished(String method, String path) {
        Call call = newCall();
        call.stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers(method, path), false));
        return call;
    }

    /**
     * Opens a stream for a {@code POST} of JSON declaring {@code declared} bytes and sends only the
     * first {@code sent} of them (zeros), without END_STREAM: a body still arriving.
     */
    Call openPartial(String path, int declared, int sent) {
        Call call = newCall();
        call.stream.write(new DefaultHttp2HeadersFrame(headers("POST", path).add("content-type", "application/json")
                .add("content-length", String.valueOf(declared)), false));
        call.stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[sent]), false));
        return call;
    }

    private static Http2Headers headers(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("alto.example");
    }

    private Call newCall() {
        Call call = new Call();
        call.stream = new Http2StreamChannelBootstrap(channel).handler(call).open().syncUninterruptibly().getNow();
        streams.add(call.stream);
        return call;
    }

    @Override
    public void close() {
        channel.eventLoop().submit(() -> streams.forEach(Http2StreamChannel::close)).syncUninterruptibly();
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Connection-level frames that the multiplexer hands on. */
    private final class ConnectionFrames extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2SettingsFrame f) {
                    settings.complete(f.settings());
                } else if (msg instanceof Http2GoAwayFrame f) {
                    goAways.add((long) f.lastStreamId());
                    goAway.complete((long) f.lastStreamId());
                } else if (msg instanceof Http2PingFrame f && f.ack()) {
                    CompletableFuture<Void> ack = pings.remove(f.content());
                    if (ack != null) {
                        ack.complete(null);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** One stream's answer: the head, the data as text pieces, and how the stream ended. */
    static final class Call extends SimpleChannelInboundHandler<Http2StreamFrame> {
        final CompletableFuture<Http2Headers> head = new CompletableFuture<>();
        /** Completes with the body when the server ends the stream; exceptionally when it resets it. */
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        /** Completes with its error code when the server resets the stream: told at once, even to a paused stream that reads nothing. */
        final CompletableFuture<Long> reset = new CompletableFuture<>();
        private final LinkedBlockingQueue<String> pieces = new LinkedBlockingQueue<>();
        private final StringBuilder seen = new StringBuilder();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        /** Bytes of data received so far, as the client's event loop sees them. */
        volatile long received;
        volatile Http2StreamChannel stream;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (frame instanceof Http2HeadersFrame h) {
                head.complete(h.headers());
                if (h.isEndStream()) {
                    done.complete(body.toByteArray());
                }
            } else if (frame instanceof Http2DataFrame d) {
                ByteBuf c = d.content();
                byte[] bytes = ByteBufUtil.getBytes(c);
                body.writeBytes(bytes);
                received += bytes.length;
                pieces.add(new String(bytes, StandardCharsets.UTF_8));
                if (d.isEndStream()) {
                    done.complete(body.toByteArray());
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                reset.complete(r.errorCode());
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("stream reset before its end"));
            ctx.fireChannelInactive();
        }

        Http2Headers head() throws Exception {
            return head.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        int status() throws Exception {
            return Integer.parseInt(head().status().toString());
        }

        String header(String name) throws Exception {
            CharSequence v = head().get(name);
            return v == null ? null : v.toString();
        }

        String text() throws Exception {
            return new String(done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
        }

        byte[] bytes() throws Exception {
            return done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Waits until the data received so far contains {@code marker}; returns all of it. */
        String awaitText(String marker) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.indexOf(marker) < 0) {
                String p = pieces.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (p == null) {
                    throw new AssertionError("not seen within " + WAIT + ": " + marker + "; got: " + seen);
                }
                seen.append(p);
            }
            return seen.toString();
        }
    }
}

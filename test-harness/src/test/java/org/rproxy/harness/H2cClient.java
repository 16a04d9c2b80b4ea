package org.rproxy.harness;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import io.netty.bootstrap.Bootstrap;
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
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;

/**
 * An HTTP/2 client over one cleartext connection with prior knowledge (what the front end offers
 * without TLS; the JDK's client speaks h2c only by {@code Upgrade}, which the front end does not
 * take), for end-to-end tests that read a node as an HTTP/2 client does: each {@link #send} opens
 * a stream and completes with the whole answer, its header fields and body copied out (every
 * buffer released on the client's event loop), and the flow-control windows replenished as the
 * stream reads. Many requests may be under way at once on the one connection.
 */
final class H2cClient implements AutoCloseable {

    /** One answer: the final status, the header fields by lower-case name (the first of a name), the body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        /** The field {@code name} (any case), or null. */
        String field(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        Function<String, String> fields() {
            return this::field;
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final String authority;

    /** Connects to the node at {@code base} ({@code http://host:port}). */
    H2cClient(String base) throws InterruptedException {
        URI u = URI.create(base);
        this.authority = u.getHost() + ":" + u.getPort();
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                });
        try {
            this.connection = b.connect(new InetSocketAddress(u.getHost(), u.getPort())).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Sends {@code method path} with {@code fields} (name, value, ...) and {@code body} (null:
     * none) on a new stream; completes with the answer once its stream ends, or exceptionally when
     * it is reset or the connection goes.
     */
    CompletableFuture<Answer> send(String method, String path, byte[] body, String... fields) {
        return stream(method, path, body, null, fields).answer();
    }

    /** A request whose answer's body is handed on as it comes; {@link #cancel} resets the stream. */
    record Streaming(CompletableFuture<Answer> answer, CompletableFuture<Http2StreamChannel> channel) {
        void cancel() {
            channel.thenAccept(Http2StreamChannel::close);
        }
    }

    /**
     * As {@link #send}, each DATA frame's bytes handed to {@code data} (on the client's event loop)
     * as it comes instead of being kept (null: kept, for the answer's body): for an update stream.
     */
    Streaming stream(String method, String path, byte[] body, Consumer<byte[]> data, String... fields) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        CompletableFuture<Http2StreamChannel> channel = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(connection).handler(new Collector(answer, data)).open().addListener(f -> {
            if (!f.isSuccess()) {
                answer.completeExceptionally(f.cause());
                channel.completeExceptionally(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            channel.complete(stream);
            Http2Headers h = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority(authority);
            for (int i = 0; i + 1 < fields.length; i += 2) {
                h.add(fields[i].toLowerCase(Locale.ROOT), fields[i + 1]);
            }
            if (body == null) {
                stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
            } else {
                h.setInt("content-length", body.length);
                stream.write(new DefaultHttp2HeadersFrame(h, false));
                stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
            }
        });
        return new Streaming(answer, channel);
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Collects one stream's answer: the final head (interim ones skipped), the DATA, the end. */
    private static final class Collector extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final CompletableFuture<Answer> answer;
        private final Consumer<byte[]> data;
        private final Map<String, String> headers = new HashMap<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status;

        Collector(CompletableFuture<Answer> answer, Consumer<byte[]> data) {
            this.answer = answer;
            this.data = data;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (frame instanceof Http2HeadersFrame h) {
                int s = h.headers().status() == null ? status : Integer.parseInt(h.headers().status().toString());
                if (s >= 200) {
                    status = s;
                    h.headers().forEach(e -> headers.putIfAbsent(e.getKey().toString().toLowerCase(Locale.ROOT),
                            e.getValue().toString()));
                }
                if (h.isEndStream()) {
                    end(ctx);
                }
            } else if (frame instanceof Http2DataFrame d) {
                byte[] b = ByteBufUtil.getBytes(d.content()); // the frame is released after this method
                if (data == null) {
                    body.writeBytes(b);
                } else {
                    data.accept(b);
                }
                if (d.isEndStream()) {
                    end(ctx);
                }
            } else if (frame instanceof Http2ResetFrame r) {
                answer.completeExceptionally(new IllegalStateException("stream reset: error " + r.errorCode()));
                ctx.close();
            }
        }

        private void end(ChannelHandlerContext ctx) {
            answer.complete(new Answer(status, Map.copyOf(headers), body.toByteArray()));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IllegalStateException("stream closed before its end"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
            ctx.close();
        }
    }
}

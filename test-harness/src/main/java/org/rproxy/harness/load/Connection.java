package org.rproxy.harness.load;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One keep-alive HTTP/1.1 connection shared by many viewers, with up to {@code depth} requests in
 * flight (pipelining, RFC 9112 §9.3.2, when depth > 1) and a backlog for the rest. Viewers stay
 * on the connection they were given, as a real client keeps its connection.
 *
 * <p>All state is touched on the one event loop the connection is bound to; {@link #submit} may be
 * called from any thread. When the server closes the connection, the requests in flight fail
 * ({@code connection closed}) and the backlog goes out on a new connection. A request unanswered
 * for the timeout fails the requests in flight ({@code timeout}) and the connection is replaced. A
 * failed connect fails the backlog ({@code connect failed}); the next submit tries again.
 */
final class Connection {
    private static final int MAX_RESPONSE = 64 * 1024 * 1024;
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** The harness writes only headers it built itself; validating them per request costs CPU the servers need. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private final EventLoop loop;
    private final InetSocketAddress address;
    private final String host;
    private final int depth;
    private final long timeoutNanos;
    private final ArrayDeque<Exchange> inflight = new ArrayDeque<>();
    private final ArrayDeque<Exchange> backlog = new ArrayDeque<>();
    private final ScheduledFuture<?> watchdog;
    private final LongAdder connects;
    private Channel channel;
    /** The connect under way, or null. */
    private ChannelFuture connecting;
    private boolean closed;
    /** Inside a read: writes wait for the end of the read so that one flush carries them all. */
    private boolean reading;

    Connection(EventLoop loop, InetSocketAddress address, String host, int depth, long timeoutNanos, LongAdder connects) {
        this.loop = loop;
        this.connects = connects;
        this.address = address;
        this.host = host;
        this.depth = depth;
        this.timeoutNanos = timeoutNanos;
        this.watchdog = loop.scheduleAtFixedRate(this::checkTimeout, 1, 1, TimeUnit.SECONDS);
    }

    /** Queues an exchange; thread-safe. */
    void submit(Exchange ex) {
        if (loop.inEventLoop()) {
            enqueue(ex);
        } else {
            loop.execute(() -> enqueue(ex));
        }
    }

    /** Runs {@code task} on this connection's event loop after {@code delayMillis}; thread-safe. */
    void later(Runnable task, long delayMillis) {
        loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the connection ahead of the first request; thread-safe.
     *
     * @return completes when the connect has ended, established or not
     */
    CompletableFuture<Void> open() {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        loop.execute(() -> {
            connect();
            if (connecting == null) {
                ended.complete(null);
            } else {
                connecting.addListener(f -> ended.complete(null));
            }
        });
        return ended;
    }

    /** Closes the connection and fails whatever is queued; thread-safe. */
    void close() {
        loop.execute(() -> {
            closed = true;
            watchdog.cancel(false);
            if (channel != null) {
                channel.close();
            }
            failAll(backlog, "harness stopped");
        });
    }

    private void enqueue(Exchange ex) {
        if (closed) {
            ex.callback.onFailure("harness stopped");
            return;
        }
        backlog.add(ex);
        if (!reading) {
            pump();
        }
    }

    private void pump() {
        if (channel == null || !channel.isActive()) {
            connect();
            return;
        }
        boolean wrote = false;
        while (inflight.size() < depth && !backlog.isEmpty()) {
            write(backlog.poll());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    private void write(Exchange ex) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, ex.method, ex.target,
                ex.body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(ex.body), HEADERS, TRAILERS);
        HttpHeaders h = req.headers();
        h.set(HttpHeaderNames.HOST, host);
        for (int i = 0; i < ex.headers.length; i += 2) {
            h.add(ex.headers[i], ex.headers[i + 1]);
        }
        if (ex.body != null) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, ex.body.length);
        }
        ex.writtenNanos = System.nanoTime();
        inflight.add(ex);
        channel.write(req, channel.voidPromise());
    }

    private void connect() {
        if (connecting != null || closed || (channel != null && channel.isActive())) {
            return;
        }
        connects.increment();
        ChannelFuture f = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HttpDecoderConfig decoder = new HttpDecoderConfig().setMaxInitialLineLength(4096)
                                .setMaxHeaderSize(64 * 1024).setMaxChunkSize(64 * 1024).setHeadersFactory(HEADERS)
                                .setTrailersFactory(TRAILERS);
                        ch.pipeline().addLast(new HttpClientCodec(decoder, false, false),
                                new HttpObjectAggregator(MAX_RESPONSE), new Handler());
                    }
                })
                .connect(address);
        connecting = f;
        f.addListener(done -> {
            connecting = null;
            if (!done.isSuccess()) {
                failAll(backlog, "connect failed: " + reason(done.cause()));
                return;
            }
            channel = f.channel();
            if (closed) {
                channel.close();
                return;
            }
            pump();
        });
    }

    private void checkTimeout() {
        Exchange head = inflight.peek();
        if (head != null && System.nanoTime() - head.writtenNanos > timeoutNanos && channel != null) {
            failAll(inflight, "timeout");
            channel.close();
        }
    }

    private void failAll(ArrayDeque<Exchange> queue, String kind) {
        for (Exchange ex; (ex = queue.poll()) != null; ) {
            try {
                ex.callback.onFailure(kind);
            } catch (RuntimeException e) {
                // a viewer's bug must not wedge the connection
            }
        }
    }

    private static String reason(Throwable t) {
        String n = t.getClass().getSimpleName();
        return n.contains("Refused") || String.valueOf(t.getMessage()).contains("refused") ? "refused" : n;
    }

    /** The pipeline end of one physical connection. */
    private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            reading = true;
            Exchange ex = inflight.poll();
            if (ex == null) {
                ctx.close();
                return;
            }
            try {
                ex.callback.onResponse(response);
            } catch (RuntimeException e) {
                // counted by the viewer as an error; the connection goes on
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            reading = false;
            if (ctx.channel() == channel) {
                pump();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != channel) {
                return;
            }
            channel = null;
            reading = false;
            failAll(inflight, "connection closed");
            if (!backlog.isEmpty() && !closed) {
                connect();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

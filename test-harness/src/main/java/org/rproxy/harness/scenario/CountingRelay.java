package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

import org.rproxy.harness.load.OriginCounter;

/**
 * A loopback HTTP relay the harness puts in front of the origin: it counts every request by
 * method and target (what "requests the origin served" means in a scenario, independent of the
 * origin's own metrics), and injects faults on demand — {@link Mode#DOWN} (connections refused
 * and cut: the origin is gone) and {@link Mode#TAMPER} (one byte of every signed body flipped, as
 * a hostile cache would). Each client connection gets its own upstream connection, so requests
 * and answers keep their order (pipelining included).
 *
 * <p>Netty event loops do all the work; {@link #mode} may be changed from any thread.
 * {@link #close} closes every connection and the listener.
 */
final class CountingRelay implements AutoCloseable, OriginCounter {
    /** What the relay does to the traffic. */
    enum Mode { PASS, DOWN, TAMPER }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("harness-relay", true),
            NioIoHandler.newFactory());
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final InetSocketAddress upstream;
    private final Channel listener;
    private final RequestCounts counts = new RequestCounts();
    private final AtomicLong tampered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final java.util.function.Consumer<String> onRequest;
    private volatile Mode mode = Mode.PASS;

    CountingRelay(InetSocketAddress upstream) throws InterruptedException {
        this(upstream, 0, line -> { });
    }

    /**
     * @param port    loopback port to listen on, 0 for any
     * @param onRequest told {@code "REQ METHOD TARGET"} for each request, on an event loop
     */
    CountingRelay(InetSocketAddress upstream, int port, java.util.function.Consumer<String> onRequest)
            throws InterruptedException {
        this.upstream = requireNonNull(upstream, "upstream");
        this.onRequest = requireNonNull(onRequest, "onRequest");
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (mode == Mode.DOWN) {
                            refused.incrementAndGet();
                            ch.close();
                            return;
                        }
                        open.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 << 20), new Front());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    String baseUri() {
        return "http://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort();
    }

    void mode(Mode m) {
        mode = requireNonNull(m, "m");
        if (m == Mode.DOWN) {
            open.close();
        }
    }

    /** Starts counting requests per resource per period of this length, from now. */
    void countPeriods(java.time.Duration period) {
        counts.countPeriods(period);
    }

    /** The most requests one resource got in one period since {@link #countPeriods}. */
    RequestCounts.PeriodPeak peakPerPeriod() {
        return counts.peakPerPeriod();
    }

    /** Distinct resources (method, target and, for a POST, body) requested since {@link #countPeriods}. */
    long distinctResources() {
        return counts.distinctResources();
    }

    long tampered() {
        return tampered.get();
    }

    long refused() {
        return refused.get();
    }

    long total() {
        return counts.total();
    }

    @Override
    public String source() {
        return "harness relay in front of the origin";
    }

    @Override
    public Map<String, Long> byPath() {
        return counts.byTarget();
    }

    @Override
    public void close() {
        listener.close();
        open.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** A client connection: opens its upstream connection, then forwards requests to it in order. */
    private final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
        private Channel back;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel front = ctx.channel();
            new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 << 20), new Back(front));
                        }
                    })
                    .connect(upstream).addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            front.close();
                            return;
                        }
                        back = f.channel();
                        open.add(back);
                        front.config().setAutoRead(true);
                        front.read();
                    });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (mode == Mode.DOWN) {
                ctx.close();
                return;
            }
            String key = req.method().name() + " " + req.uri();
            String ae = req.headers().get("accept-encoding");
            onRequest.accept("REQ " + key + (ae == null ? "" : " accept-encoding=" + ae.replace(' ', '_')));
            String resource = req.content().isReadable() ? key + " #" + bodyDigest(req) : key;
            counts.record(key, ae != null && ae.contains("gzip") ? resource + " (gzip)" : resource);
            back.writeAndFlush(req.retain());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (back != null) {
                back.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String bodyDigest(FullHttpRequest req) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(req.content().nioBuffer());
            return java.util.HexFormat.of().formatHex(md.digest(), 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The upstream side: answers go back to the client, tampered with when asked. */
    private final class Back extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Channel front;

        Back(Channel front) {
            super(false);
            this.front = front;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
            if (mode == Mode.TAMPER && resp.headers().contains("signature") && resp.content().readableBytes() > 0) {
                int at = resp.content().readerIndex() + resp.content().readableBytes() / 2;
                resp.content().setByte(at, resp.content().getByte(at) ^ 0x20);
                tampered.incrementAndGet();
            }
            if (!front.isActive()) {
                ReferenceCountUtil.release(resp);
                return;
            }
            front.writeAndFlush(resp);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            front.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

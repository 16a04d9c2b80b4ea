package org.rproxy.core.tls;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * An HTTPS server on an ephemeral loopback port that prefers HTTP/2: the front end's own server
 * context ({@link Tls#server}: ALPN {@code h2} first, then {@code http/1.1}) over a self-signed
 * {@link TestCertificates}, relaying every connection's decrypted bytes as they are to a plain
 * HTTP server (an origin started without TLS, which speaks HTTP/1.1 and HTTP/2 alike), and the
 * answers back. It records what each connection's client negotiated by ALPN ({@code h2},
 * {@code http/1.1}, or {@code none} when it offered nothing) and the first line it sent
 * ({@code GET /... HTTP/1.1}, or the HTTP/2 preface's {@code PRI * HTTP/2.0}), so a test sees
 * the protocol a client spoke, not only the answer it got. One NIO event loop of its own.
 */
public final class AlpnRelay implements AutoCloseable {
    /** Per connection, in order: what was negotiated by ALPN. */
    public final List<String> negotiated = new CopyOnWriteArrayList<>();
    /** Per connection, in order: the first line of what its client sent once TLS was up. */
    public final List<String> firstLines = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final SslContext context;
    private final Channel server;

    /** Relays to the plain HTTP server at {@code upstream}, presenting {@code cert}. */
    public AlpnRelay(TestCertificates cert, InetSocketAddress upstream) throws InterruptedException {
        context = Tls.server(new org.rproxy.core.config.TlsConfig(cert.cert(), cert.key()));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        SslHandler tls = context.newHandler(ch.alloc());
                        ch.pipeline().addLast(tls, new Downstream(tls, upstream));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** {@return its base URL, {@code https://127.0.0.1:port}} */
    public String base() {
        return "https://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The client's side: records the protocol, opens the upstream connection, and copies both ways. */
    private final class Downstream extends ChannelInboundHandlerAdapter {
        private final SslHandler tls;
        private final InetSocketAddress upstream;
        private Channel up;
        /** What the client sent before the upstream connection was up (on the one event loop). */
        private final List<Object> early = new java.util.ArrayList<>();
        private boolean first = true;

        Downstream(SslHandler tls, InetSocketAddress upstream) {
            this.tls = tls;
            this.upstream = upstream;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel down = ctx.channel();
            new Bootstrap().group(down.eventLoop()).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            channels.add(ch);
                            ch.pipeline().addLast(new Copy(down));
                        }
                    })
                    .connect(upstream).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess() && down.isActive()) {
                            up = f.channel();
                            early.forEach(up::write);
                            up.flush();
                        } else {
                            early.forEach(ReferenceCountUtil::release);
                            f.channel().close();
                            down.close();
                        }
                        early.clear();
                    });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                String p = tls.applicationProtocol();
                negotiated.add(p == null ? "none" : p);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (first && msg instanceof ByteBuf b) {
                first = false;
                String s = b.toString(b.readerIndex(), Math.min(b.readableBytes(), 200), StandardCharsets.ISO_8859_1);
                int end = s.indexOf("\r\n");
                firstLines.add(end < 0 ? s : s.substring(0, end));
            }
            if (up == null) {
                early.add(msg);
            } else if (up.isActive()) {
                up.writeAndFlush(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (up != null) {
                up.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Copies what one side reads to the other, and closes the other when it ends. */
    private static final class Copy extends ChannelInboundHandlerAdapter {
        private final Channel to;

        Copy(Channel to) {
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (to.isActive()) {
                to.writeAndFlush(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            to.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        channels.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        ReferenceCountUtil.release(context);
    }
}

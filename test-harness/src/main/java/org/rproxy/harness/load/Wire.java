package org.rproxy.harness.load;

import java.io.IOException;
import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;

/**
 * What a {@link Connection} puts on the wire: the channel it connects (for an {@code https}
 * target a TLS handler, then the HTTP/1.1 client codec and aggregator in front of its handler)
 * and the request an {@link Exchange} becomes.
 */
final class Wire {
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_RESPONSE = 64 * 1024 * 1024;
    /** The harness writes only headers it built itself; validating them per request costs CPU the servers need. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private Wire() {
    }

    /**
     * Starts connecting a channel on {@code loop} whose pipeline ends in {@code handler}. The future
     * completes when the channel can carry requests: connected and, with {@code tls}, its handshake
     * done with {@code http/1.1} or no protocol chosen by ALPN. A failed handshake fails it with a
     * {@link TlsRefused} saying why, and closes the channel.
     *
     * @param tls  TLS towards the target, or null for plain HTTP
     * @param host the target's host name, which its certificate must hold
     */
    static ChannelFuture connect(EventLoop loop, InetSocketAddress address, TargetTls tls, String host, ChannelHandler handler) {
        ChannelFuture tcp = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HttpDecoderConfig decoder = new HttpDecoderConfig().setMaxInitialLineLength(4096)
                                .setMaxHeaderSize(64 * 1024).setMaxChunkSize(64 * 1024).setHeadersFactory(HEADERS)
                                .setTrailersFactory(TRAILERS);
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, address.getPort(), CONNECT_TIMEOUT_MILLIS));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(decoder, false, false),
                                new HttpObjectAggregator(MAX_RESPONSE), handler);
                    }
                })
                .connect(address);
        if (tls == null) {
            return tcp;
        }
        ChannelPromise ready = tcp.channel().newPromise();
        tcp.addListener(connected -> {
            if (!connected.isSuccess()) {
                ready.tryFailure(connected.cause());
                return;
            }
            SslHandler ssl = tcp.channel().pipeline().get(SslHandler.class);
            ssl.handshakeFuture().addListener(shaken -> {
                String protocol = ssl.applicationProtocol();
                if (!shaken.isSuccess()) {
                    ready.tryFailure(new TlsRefused(tls.failure(shaken.cause(), host), shaken.cause()));
                    tcp.channel().close();
                } else if (protocol != null && !ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
                    ready.tryFailure(new TlsRefused("TLS: the target chose " + protocol + " by ALPN, not http/1.1", null));
                    tcp.channel().close();
                } else {
                    ready.trySuccess();
                }
            });
        });
        return ready;
    }

    /** A TLS handshake that failed, or a protocol the harness does not speak; the message says which and why. */
    static final class TlsRefused extends IOException {
        private static final long serialVersionUID = 1L;

        TlsRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The request {@code ex} is, to {@code host}. */
    static FullHttpRequest request(Exchange ex, String host) {
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
        return req;
    }
}

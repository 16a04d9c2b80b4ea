package org.rproxy.harness.load;

import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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

/**
 * What a {@link Connection} puts on the wire: the channel it connects (HTTP/1.1 client codec and
 * aggregator in front of its handler) and the request an {@link Exchange} becomes.
 */
final class Wire {
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_RESPONSE = 64 * 1024 * 1024;
    /** The harness writes only headers it built itself; validating them per request costs CPU the servers need. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private Wire() {
    }

    /** Starts connecting a channel on {@code loop} whose pipeline ends in {@code handler}. */
    static ChannelFuture connect(EventLoop loop, InetSocketAddress address, ChannelHandler handler) {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HttpDecoderConfig decoder = new HttpDecoderConfig().setMaxInitialLineLength(4096)
                                .setMaxHeaderSize(64 * 1024).setMaxChunkSize(64 * 1024).setHeadersFactory(HEADERS)
                                .setTrailersFactory(TRAILERS);
                        ch.pipeline().addLast(new HttpClientCodec(decoder, false, false),
                                new HttpObjectAggregator(MAX_RESPONSE), handler);
                    }
                })
                .connect(address);
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

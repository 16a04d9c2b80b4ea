package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.upstream.InterimResponses;

/**
 * One subscription to an upstream update stream over Netty, over TLS when given a client context
 * (which checks the certificate and the host name; a failed handshake ends the attempt before a
 * byte of the request is sent): {@code POST}s the stream parameters and hands every byte of a
 * {@code 200 text/event-stream} answer to the {@link Listener}, copied out of Netty's buffers
 * (which are released here). A stream silent for longer than the read
 * timeout is closed, which is how a half-open connection is found: heartbeats stop arriving. No
 * parsing happens on the event loop; the listener hands the bytes to the feed's thread.
 *
 * <p>Interim responses before the answer follow {@link InterimResponses}: a 1xx is skipped, a 101
 * (no upgrade is asked for) ends the attempt.
 *
 * <p>Reading pauses while the listener has more than {@link #MAX_UNPROCESSED} bytes it has not
 * yet processed, so a slow feed thread holds the upstream back instead of filling memory.
 */
final class UpstreamStream {

    static final long MAX_UNPROCESSED = 8L * 1024 * 1024;

    /** Told what happens on the stream; called on the event loop, must hand off at once. */
    interface Listener {
        void opened();

        void bytes(byte[] data);

        /**
         * The upstream refused the subscription with this ALTO error (a {@code 4xx} or {@code 5xx}
         * with an error body); {@link #closed} follows.
         */
        void refused(AltoError error);

        void closed(String reason);
    }

    private final Channel channel;

    private UpstreamStream(Channel channel) {
        this.channel = channel;
    }

    /**
     * Connects and subscribes; returns at once.
     *
     * @param tls client TLS context for an {@code https} stream URI, null for {@code http}
     */
    static UpstreamStream open(EventLoopGroup group, URI stream, SslContext tls, byte[] body, Duration readTimeout,
                               Listener listener) {
        requireNonNull(listener, "listener");
        int port = stream.getPort() >= 0 ? stream.getPort() : tls != null ? 443 : 80;
        String target = stream.getRawPath() + (stream.getRawQuery() == null ? "" : "?" + stream.getRawQuery());
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, Math.max(1000, readTimeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), stream.getHost(), port));
                        }
                        ch.pipeline().addLast("http", new HttpClientCodec());
                        ch.pipeline().addLast("timeout", new ReadTimeoutHandler(readTimeout.toMillis(),
                                TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("stream", new Handler(request(stream, target, port, body), listener));
                    }
                });
        Channel ch = b.connect(stream.getHost(), port).addListener(f -> {
            if (!f.isSuccess()) {
                listener.closed("connect failed: " + StreamControl.reason(f.cause()));
            }
        }).channel();
        return new UpstreamStream(ch);
    }

    private static FullHttpRequest request(URI stream, String target, int port, byte[] body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, stream.getHost() + ":" + port);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, MediaTypes.UPDATE_STREAM_PARAMS);
        r.headers().set(HttpHeaderNames.ACCEPT, MediaTypes.EVENT_STREAM);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    /** Pauses or resumes reading; any thread. */
    void autoRead(boolean on) {
        channel.config().setAutoRead(on);
    }

    void close() {
        channel.close();
    }

    /** Sends the request, checks the answer, forwards the bytes; one per connection. */
    private static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        /** The most of a refusal's body read for its ALTO error. */
        private static final int MAX_ERROR_BYTES = 16 * 1024;
        private FullHttpRequest request;
        private final Listener listener;
        private boolean streaming;
        private String reason = "closed by the upstream";
        /** The body of a refusal with an ALTO error, while it is read; else null. */
        private ByteArrayOutputStream refusal;
        /** An interim 1xx was read: the codec's empty end of it follows, and is not the stream's end. */
        private boolean interim;

        Handler(FullHttpRequest request, Listener listener) {
            this.request = request;
            this.listener = listener;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest r = request;
            request = null;
            ctx.writeAndFlush(r);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (interim && msg instanceof LastHttpContent) {
                interim = false;
                return;
            }
            if (msg instanceof HttpResponse r && !streaming && refusal == null) {
                switch (InterimResponses.of(r.status(), false)) {
                    case SKIP -> {
                        // 103 Early Hints, an unasked-for 100: the answer follows
                        interim = !(msg instanceof LastHttpContent);
                        return;
                    }
                    case UNASKED_SWITCH, SWITCHED -> {
                        // no upgrade is asked for: what follows is another protocol
                        reason = InterimResponses.unaskedSwitch(r);
                        ctx.close();
                        return;
                    }
                    case FINAL -> {
                        // the answer, below
                    }
                }
            }
            if (msg instanceof HttpResponse r) {
                String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
                if (r.status().code() != 200 || !type.toLowerCase().startsWith(MediaTypes.EVENT_STREAM)) {
                    reason = "upstream answered " + r.status() + " " + type;
                    if (r.status().code() >= 400 && type.toLowerCase().startsWith(MediaTypes.ERROR)) {
                        refusal = new ByteArrayOutputStream();
                        if (!(msg instanceof HttpContent)) {
                            return; // its body follows
                        }
                    } else {
                        ctx.close();
                        return;
                    }
                }
            }
            if (refusal != null) {
                readRefusal(ctx, msg);
                return;
            }
            if (msg instanceof HttpResponse) {
                streaming = true;
                listener.opened();
            }
            if (msg instanceof HttpContent c && streaming && c.content().isReadable()) {
                listener.bytes(ByteBufUtil.getBytes(c.content()));
            }
            if (msg instanceof LastHttpContent && streaming) {
                reason = "the upstream ended the stream";
                ctx.close();
            }
        }

        /** Reads the refusal's body; at its end (or past its bound), tells its error and closes. */
        private void readRefusal(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpContent c) {
                byte[] part = new byte[Math.min(MAX_ERROR_BYTES - refusal.size(), c.content().readableBytes())];
                c.content().readBytes(part);
                refusal.writeBytes(part);
            }
            if (msg instanceof LastHttpContent || refusal.size() >= MAX_ERROR_BYTES) {
                try {
                    AltoError error = AltoJson.readError(Jcs.parse(refusal.toByteArray()));
                    reason += ": " + error.message();
                    listener.refused(error);
                } catch (RuntimeException notAnError) {
                    // not an ALTO error after all: the status says enough
                }
                refusal = null;
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
                reason = "TLS handshake failed: " + e.cause().getMessage();
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (reason.startsWith("TLS handshake failed")) {
                ctx.close();
                return;
            }
            reason = cause instanceof ReadTimeoutException ? "no heartbeat within the read timeout" : cause.toString();
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (request != null) {
                request.release();
                request = null;
            }
            listener.closed(reason);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (request != null) {
                request.release();
                request = null;
            }
        }
    }
}

package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a connection accepted beyond {@link FrontEndConfig#maxConnections()}: its first request
 * gets {@code 503} with an ALTO error and {@code Retry-After: 1} (RFC 7285 §8.5.3, RFC 9110
 * §10.2.3), then the connection closes. Answering the request, rather than writing on accept,
 * means the client has finished sending and reads the answer instead of a reset. A client that
 * sends nothing is closed by {@link RequestDeadline}. One per refused connection, on its loop.
 */
final class OverloadResponder extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(OverloadResponder.class);
    private static final List<HeaderField> RETRY = List.of(new HeaderField("retry-after", "1"));

    private final ResponseRenderer renderer;
    private final FrontEndConfig config;
    private final RequestObserver observer;
    private final RateLimitedLog warnings;
    private boolean answered;

    OverloadResponder(ResponseRenderer renderer, FrontEndConfig config, RequestObserver observer,
                      RateLimitedLog warnings) {
        this.renderer = requireNonNull(renderer, "renderer");
        this.config = requireNonNull(config, "config");
        this.observer = requireNonNull(observer, "observer");
        this.warnings = requireNonNull(warnings, "warnings");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest req && !answered) {
                answered = true;
                answer(ctx, req);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest req) {
        String path;
        try {
            path = RequestTarget.parse(req.uri()).path();
        } catch (IllegalArgumentException e) {
            path = RequestHead.UNKNOWN;
        }
        RequestHead head = new RequestHead(req.method().name(), path, false, false, false, null, System.nanoTime());
        FullHttpResponse response = renderer.error(head, FrontEndErrors.overloaded(), config.dialectFor(path), RETRY);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        int status = response.status().code();
        long bodyBytes = response.content().readableBytes();
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        try {
            observer.onResponse(head.method(), path, status, bodyBytes, 0);
        } catch (RuntimeException e) {
            warnings.warn(LOG, "request observer failed", e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A refused client that resets is of no interest; anything else is closed all the same.
        LOG.debug("refused connection {} failed", ctx.channel(), cause);
        ctx.close();
    }
}

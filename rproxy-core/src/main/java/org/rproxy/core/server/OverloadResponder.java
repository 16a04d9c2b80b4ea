package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.ReferenceCountUtil;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a connection accepted beyond {@link FrontEndConfig#maxConnections()} (or beyond
 * {@link FrontEndConfig#maxConnectionsPerAddress()} from its client's address): it is answered
 * {@code 503} with an ALTO error and {@code Retry-After: 1} (RFC 7285 §8.5.3, RFC 9110 §10.2.3)
 * as soon as it is accepted, without waiting for a request, and is gone within {@link #LINGER_MILLIS}:
 * a flood of connections that never send anything then holds no descriptor for long (waiting
 * for their request held each one for the whole idle timeout). The request is unknown, so the
 * error is in the JSON dialect.
 *
 * <p>Closing a socket with unread input makes the kernel send a reset, which can destroy the
 * answer before the client reads it. So after the 503 the connection half-closes (the client
 * reads the answer and then the end of the stream), whatever the client sends is read and
 * dropped, and the connection closes when the client closes or {@link #LINGER_MILLIS} after accept,
 * whichever comes first. At most {@code lingering}'s limit of connections linger at once; past
 * it (a flood) they are closed right after the answer is written. Over TLS the answer waits for
 * the handshake and the connection closes after it (TLS has its own close). One per refused
 * connection, on its event loop.
 */
final class OverloadResponder extends ChannelInboundHandlerAdapter {

    /** Longest life of a refused connection, from accept. */
    static final long LINGER_MILLIS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(OverloadResponder.class);
    private static final List<HeaderField> RETRY = List.of(new HeaderField("retry-after", "1"));
    private static final RequestHead UNKNOWN = new RequestHead(RequestHead.UNKNOWN, RequestHead.UNKNOWN, false,
            false, false, null, 0);

    private final ResponseRenderer renderer;
    private final RequestObserver observer;
    private final ConnectionLimit lingering;
    private final RateLimitedLog warnings;
    private final AltoError refusal;
    private boolean answered;
    private ScheduledFuture<?> deadline;

    /** @param refusal the 503's error: which limit the connection is past */
    OverloadResponder(ResponseRenderer renderer, RequestObserver observer, ConnectionLimit lingering,
                      RateLimitedLog warnings, AltoError refusal) {
        this.renderer = requireNonNull(renderer, "renderer");
        this.observer = requireNonNull(observer, "observer");
        this.lingering = requireNonNull(lingering, "lingering");
        this.warnings = requireNonNull(warnings, "warnings");
        this.refusal = requireNonNull(refusal, "refusal");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            answer(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        answer(ctx);
        ctx.fireChannelActive();
    }

    private void answer(ChannelHandlerContext ctx) {
        if (answered) {
            return;
        }
        answered = true;
        deadline = ctx.executor().schedule((Runnable) ctx::close, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        FullHttpResponse response = renderer.error(UNKNOWN, refusal, Dialect.JSON, RETRY);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        long bodyBytes = response.content().readableBytes();
        ctx.writeAndFlush(response).addListener(f -> afterAnswer(ctx, f.isSuccess()));
        try {
            observer.onResponse(new Served(ctx.channel().remoteAddress(), RequestHead.UNKNOWN, UNKNOWN.method(),
                    UNKNOWN.path(), UNKNOWN.path(), 503, bodyBytes, 0, CacheStatus.NONE, "identity", Dialect.JSON));
        } catch (RuntimeException e) {
            warnings.warn(LOG, "request observer failed", e);
        }
    }

    /** Half-closes and lingers when that is possible and a place is free; else closes. */
    private void afterAnswer(ChannelHandlerContext ctx, boolean written) {
        boolean plain = ctx.pipeline().get(AltoChannelInitializer.TLS) == null;
        if (!written || !plain || !(ctx.channel() instanceof DuplexChannel duplex) || !lingering.tryAcquire()) {
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> lingering.release());
        ChannelFuture shut = duplex.shutdownOutput();
        shut.addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    /** The client has closed its side: it has read the answer, or will not. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionFailures.log(LOG, warnings, ctx.channel(), cause);
        ctx.close();
    }
}

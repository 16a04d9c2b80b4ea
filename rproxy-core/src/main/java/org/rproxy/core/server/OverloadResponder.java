package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a connection accepted beyond {@link FrontEndConfig#maxConnections()} (or beyond
 * {@link FrontEndConfig#maxConnectionsPerAddress()} from its client's address): it is refused in
 * its client's protocol, within {@link #UNANSWERED_MILLIS} of accept, and closed soon after (see
 * below), so that a flood of connections that never send anything holds no descriptor for long
 * (waiting for their request held each one for the whole idle timeout).
 *
 * <p>The protocol is told by the first bytes, with {@link ProtocolDetector}'s rule (at most the
 * preface's 24 bytes looked at, none held: each read is dropped once looked at), or over TLS by
 * the protocol ALPN chose. An HTTP/2 client (prior knowledge, or ALPN {@code h2}) gets the server's
 * preface, an empty SETTINGS frame, then GOAWAY with last stream 0 (nothing was processed, every
 * request may be sent again: RFC 9113 §6.8), the error code the refusal was made with, and the
 * refusal's text as debug data: read as HTTP/1.1, the 503 would be a protocol error to it. Anyone
 * else gets {@code 503} with the ALTO error and {@code Retry-After: 1} (RFC 7285 §8.5.3, RFC 9110
 * §10.2.3); the request is unknown, so the error is in the JSON dialect. A client that has sent
 * nothing within {@link #decideNanos} (at most {@link #DECIDE_MILLIS}) is answered as an HTTP/1.1
 * one, which is what an HTTP/2 client would have sent its preface by; over TLS counted from the
 * handshake's end (counted from accept, a handshake slower than that had the 503 sent to a client
 * that then chose {@code h2}, to which it was a broken frame).
 *
 * <p>Waiting for the first bytes and lingering need a place among the refused connections
 * ({@code lingering}, taken by the initializer, which says so by {@code waits}); without one (a
 * flood, or a channel that is not a socket) the 503 is written at once and the connection closed
 * after it, as before the HTTP/2 refusal existed. Closing a socket with unread input makes the
 * kernel send a reset, which can destroy the answer before the client reads it, and a client still
 * sending its request (a big query on a slow link) then fails in its write and never reads it. So
 * once the answer is written the connection closes as one whose request was refused is closed
 * ({@link LingeringClose}): it half-closes (not over TLS, which has its own close), reads and drops
 * what the client sends, and closes when the client closes, is silent for
 * {@link LingeringClose#SILENCE_MILLIS}, has sent {@link LingeringClose#MAX_BYTES} or
 * {@link LingeringClose#MAX_MILLIS} have passed since the answer. A refused connection thus holds
 * its place at most {@link #UNANSWERED_MILLIS} unanswered and then the linger's bounds: a slow but
 * steady uploader reads its 503, and a trickle is cut. (A life of 2 s from accept, whatever came,
 * reset the connection under a client whose body took longer to upload.) One per refused
 * connection, on its event loop.
 */
final class OverloadResponder extends ChannelInboundHandlerAdapter {

    /** Longest life of a refused connection before its answer is written (its TLS handshake, say), from accept. */
    static final long UNANSWERED_MILLIS = 2_000;
    /** Longest wait for a refused connection's first bytes (or after its TLS handshake, no ALPN). */
    static final long DECIDE_MILLIS = UNANSWERED_MILLIS / 2;

    private static final Logger LOG = LoggerFactory.getLogger(OverloadResponder.class);
    /** RFC 9113 §4.1, §6.5, §6.8: a frame's head, and the two frame types a refusal writes. */
    private static final int FRAME_HEAD = 9;
    private static final int SETTINGS = 0x4;
    private static final int GOAWAY = 0x7;
    private static final List<HeaderField> RETRY = List.of(new HeaderField("retry-after", "1"));
    private static final RequestHead UNKNOWN = new RequestHead(RequestHead.UNKNOWN, RequestHead.UNKNOWN, false,
            false, false, null, 0);

    private final ResponseRenderer renderer;
    private final RequestObserver observer;
    private final RateLimitedLog warnings;
    private final AltoError refusal;
    private final long goAwayCode;
    private final boolean waits;
    private final long decideNanos;
    /** Bytes of the HTTP/2 preface the client has sent so far; -1 once one differed. */
    private int matched;
    private boolean started;
    private boolean answered;
    private ScheduledFuture<?> deadline;
    private ScheduledFuture<?> undecided;

    /**
     * @param refusal     the 503's error: which limit the connection is past
     * @param goAwayCode  the GOAWAY's error code (RFC 9113 §7) an HTTP/2 client is refused with
     * @param waits       whether the connection holds a place among the refused ones, to wait for
     *                    its first bytes and linger; false: answered HTTP/1.1 at once, and closed
     * @param decideNanos how long to wait for the first bytes, at most {@link #DECIDE_MILLIS}
     */
    OverloadResponder(ResponseRenderer renderer, RequestObserver observer, RateLimitedLog warnings, AltoError refusal,
                      long goAwayCode, boolean waits, long decideNanos) {
        this.renderer = requireNonNull(renderer, "renderer");
        this.observer = requireNonNull(observer, "observer");
        this.warnings = requireNonNull(warnings, "warnings");
        this.refusal = requireNonNull(refusal, "refusal");
        this.goAwayCode = goAwayCode;
        this.waits = waits;
        this.decideNanos = Math.min(decideNanos, TimeUnit.MILLISECONDS.toNanos(DECIDE_MILLIS));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        deadline = ctx.executor().schedule((Runnable) ctx::close, UNANSWERED_MILLIS, TimeUnit.MILLISECONDS);
        if (!waits) {
            answerHttp1(ctx);
            return;
        }
        if (ctx.pipeline().get(AltoChannelInitializer.TLS) == null) {
            decideLater(ctx);
        } // over TLS, from the handshake's end: no request can come before it, however slow the link
    }

    /** Answers as HTTP/1.1 unless the first bytes have told the protocol within {@link #decideNanos}. */
    private void decideLater(ChannelHandlerContext ctx) {
        undecided = ctx.executor().schedule(() -> answerHttp1(ctx), decideNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!answered && msg instanceof ByteBuf bytes) {
                matched = ProtocolDetector.prefaceMatched(bytes, matched);
                if (matched < 0) {
                    answerHttp1(ctx);
                } else if (matched == ProtocolDetector.PREFACE_LENGTH) {
                    answerHttp2(ctx);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The 503, which an HTTP/1.1 client (or one that said nothing) is refused with. */
    private void answerHttp1(ChannelHandlerContext ctx) {
        if (answered) {
            return;
        }
        answered = true;
        FullHttpResponse response = renderer.error(UNKNOWN, refusal, Dialect.JSON, RETRY);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        long bodyBytes = response.content().readableBytes();
        ctx.writeAndFlush(response).addListener(f -> afterAnswer(ctx, f.isSuccess()));
        observe(ctx, bodyBytes);
    }

    /** SETTINGS, then GOAWAY with last stream 0, the code and the refusal's text: an HTTP/2 client's refusal. */
    private void answerHttp2(ChannelHandlerContext ctx) {
        if (answered) {
            return;
        }
        answered = true;
        ctx.pipeline().remove(AltoChannelInitializer.HTTP_CODEC); // HTTP/1.1's encoder: frames go out as they are
        byte[] debug = refusal.message().getBytes(StandardCharsets.UTF_8);
        ByteBuf frames = ctx.alloc().buffer(2 * FRAME_HEAD + 8 + debug.length);
        frameHead(frames, 0, SETTINGS);
        frameHead(frames, 8 + debug.length, GOAWAY);
        frames.writeInt(0).writeInt((int) goAwayCode).writeBytes(debug);
        ctx.writeAndFlush(frames).addListener(f -> afterAnswer(ctx, f.isSuccess()));
        observe(ctx, debug.length);
    }

    /** A frame's head on stream 0 with no flags (RFC 9113 §4.1). */
    private static void frameHead(ByteBuf out, int length, int type) {
        out.writeMedium(length).writeByte(type).writeByte(0).writeInt(0);
    }

    private void observe(ChannelHandlerContext ctx, long bodyBytes) {
        try {
            observer.onResponse(new Served(ctx.channel().remoteAddress(), RequestHead.UNKNOWN, UNKNOWN.method(),
                    UNKNOWN.path(), UNKNOWN.path(), 503, bodyBytes, 0, CacheStatus.NONE, "identity", Dialect.JSON));
        } catch (RuntimeException e) {
            warnings.warn(LOG, "request observer failed", e);
        }
    }

    /**
     * Lingers when the connection holds a place for it ({@link LingeringClose}, whose bounds run
     * from now, in place of {@link #UNANSWERED_MILLIS}), else closes.
     */
    private void afterAnswer(ChannelHandlerContext ctx, boolean written) {
        if (!written || !waits || !LingeringClose.canLinger(ctx.channel())) {
            ctx.close();
            return;
        }
        deadline.cancel(false);
        LingeringClose.start(ctx.channel(), true);
    }

    /**
     * The client has closed its side (its TCP or, over TLS, its {@code close_notify}): it has read
     * the answer, or will not. Or the TLS handshake is done: ALPN's choice, when it made one, tells
     * the protocol before any byte comes.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            ctx.close();
        } else if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess() && !answered) {
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            String chosen = tls == null ? null : tls.applicationProtocol();
            if (ApplicationProtocolNames.HTTP_2.equals(chosen)) {
                answerHttp2(ctx);
            } else if (ApplicationProtocolNames.HTTP_1_1.equals(chosen)) {
                answerHttp1(ctx);
            } else {
                decideLater(ctx); // no ALPN: its first bytes tell
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (undecided != null) {
            undecided.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionFailures.log(LOG, warnings, ctx.channel(), cause);
        ctx.close();
    }
}

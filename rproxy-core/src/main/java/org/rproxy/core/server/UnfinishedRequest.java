package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Bounds the HTTP/2 streams whose request is not complete yet, over all the server's connections
 * ({@link FrontEndConfig#maxUnfinishedStreams}): what a hostile client holds cheaply, a head
 * without {@code END_STREAM} on each of a thousand streams of each connection. At the stream's
 * request head: a complete request (its HEADERS ended the stream, as a GET's do) goes on
 * without a place; any other takes one, and holds it until the request's last part has arrived
 * ({@code END_STREAM}, as {@link LastHttpContent}) or the stream is reset or gone, so a stream answered at
 * length (an update stream) holds none; when none is left the stream is reset with {@code
 * REFUSED_STREAM} (RFC 9113 §8.7: not processed, safe to retry) and what else it sends is
 * dropped, and counted (the node's {@code rproxy_unfinished_streams_refused_total}).
 *
 * <p>When the server stops ({@link Drain#DRAIN}) while the stream's request is still arriving and
 * nothing has been answered on it, the stream is reset with {@code REFUSED_STREAM} too: no part
 * of the request has reached the service, so there is nothing to drain, and the client may send
 * it again elsewhere; the connection's other streams are answered and the stop ends with the last
 * of them, not after its whole drain time waiting for a request that may never end. (HTTP/1.1
 * cannot refuse a request and keep it retryable this way: {@link RequestAssembler} waits for its
 * body and it is answered, within the stop's bound.) A stream already answered (a refusal at its
 * head or mid-body, the rest of its body still coming) goes on to its end as before. One per
 * stream, after its frame codec, on its connection's event loop.
 */
final class UnfinishedRequest extends ChannelDuplexHandler {

    static final String NAME = "h2-unfinished";

    private final ConnectionLimit places;
    private final LongAdder refusals;
    private boolean headSeen;
    private boolean held;
    private boolean refused;
    /** A final answer (not a 1xx) has been written on the stream. */
    private boolean answered;

    /**
     * @param places   the server's places for unfinished requests
     * @param refusals the server's count of streams refused for want of one
     */
    UnfinishedRequest(ConnectionLimit places, LongAdder refusals) {
        this.places = requireNonNull(places, "places");
        this.refusals = requireNonNull(refusals, "refusals");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!headSeen) {
            headSeen = true;
            if (!(msg instanceof LastHttpContent)) {
                if (!places.tryAcquire()) {
                    refusals.increment();
                    ReferenceCountUtil.release(msg);
                    refuse(ctx);
                    return;
                }
                held = true;
            }
        } else if (msg instanceof LastHttpContent) {
            giveBack();
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The server stops: a request still arriving, unanswered, is refused rather than waited for.
     * The client resets the stream ({@code RST_STREAM}, passed down as an event): its place is
     * given back now, not when the stream's channel closes, a task run only after the rest of the
     * connection's read, where a new head sent right behind the reset would find no place.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            giveBack();
        }
        if (evt == Drain.DRAIN && held && !answered) {
            giveBack();
            refuse(ctx);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            answered = true;
        }
        ctx.write(msg, promise);
    }

    /** Resets the stream with REFUSED_STREAM (RFC 9113 §8.7: not processed, safe to retry); what it sends after is dropped. */
    private void refuse(ChannelHandlerContext ctx) {
        refused = true;
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        giveBack();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        giveBack();
    }

    private void giveBack() {
        if (held) {
            held = false;
            places.release();
        }
    }
}

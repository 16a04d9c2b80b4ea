package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;

/**
 * Bounds the HTTP/2 streams whose request is not complete yet, over all the server's connections
 * ({@link FrontEndConfig#maxUnfinishedStreams}): what a hostile client holds cheaply, a head
 * without {@code END_STREAM} on each of a thousand streams of each connection. At the stream's
 * request head: a complete request (its HEADERS ended the stream, as a GET's do) goes on
 * without a place; any other takes one, and holds it until the request's last part has arrived
 * ({@code END_STREAM}, as {@link LastHttpContent}) or the stream is gone, so a stream answered at
 * length (an update stream) holds none; when none is left the stream is reset with {@code
 * REFUSED_STREAM} (RFC 9113 §8.7: not processed, safe to retry) and what else it sends is
 * dropped, and counted (the node's {@code rproxy_unfinished_streams_refused_total}). One per
 * stream, after its frame codec, on its connection's event loop.
 */
final class UnfinishedRequest extends ChannelInboundHandlerAdapter {

    static final String NAME = "h2-unfinished";

    private final ConnectionLimit places;
    private final LongAdder refusals;
    private boolean headSeen;
    private boolean held;
    private boolean refused;

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
                    refused = true;
                    refusals.increment();
                    ReferenceCountUtil.release(msg);
                    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                    return;
                }
                held = true;
            }
        } else if (msg instanceof LastHttpContent) {
            giveBack();
        }
        ctx.fireChannelRead(msg);
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

package org.rproxy.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;

/**
 * Keeps the GOAWAY of an HTTP/2 connection error from being lost. On a connection error the codec
 * writes its GOAWAY (PROTOCOL_ERROR, FRAME_SIZE_ERROR, ENHANCE_YOUR_CALM, ...) and closes: once the
 * GOAWAY is written when the error is in what the client sent, at once when the codec's encoder
 * raises it as it sends (too many resets sent, too many acknowledgements queued: the floods the
 * client makes the server answer). A client still sending then has unread bytes in the server's
 * socket, the close makes the kernel answer with a reset, and the reset discards what the socket
 * has not sent yet (the GOAWAY too, when it waits behind frames the client reads slowly) or reaches
 * the client before it has read it; a close at once also drops what is still queued in the
 * connection, the GOAWAY with it.
 *
 * <p>So this step (ahead of the codec, which closes through it) hears from the codec's connection
 * that a GOAWAY with an error code was sent ({@link #watch}), whichever side raised the error, and
 * turns the close that follows into the {@link LingeringClose} of HTTP/1.1: from then on it reads
 * and drops what still comes, within the same bounds of time and bytes, half-closes once
 * everything queued before the close (the GOAWAY included) is written, then closes. Every close
 * during the linger (the codec's own, as its GOAWAY's write completes; the idle timer's) waits for
 * its end, which its bounds keep near; the server's stop ({@link Drain#DRAIN}) goes on at once,
 * and cuts it. A GOAWAY without error (a graceful close) changes nothing. One per HTTP/2
 * connection, on its event loop.
 */
final class Http2ErrorClose extends ChannelDuplexHandler {

    private boolean inError;
    /** The close in error has begun its linger: later closes wait for its end. */
    private boolean lingering;
    /** The server stops: closes go on at once. */
    private boolean stopping;

    /** Listens to {@code connection} for the GOAWAY the codec sends: one with an error code makes the coming close linger. */
    void watch(Http2Connection connection) {
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (errorCode != Http2Error.NO_ERROR.code()) {
                    inError = true;
                }
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Drain.DRAIN) {
            stopping = true;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (stopping || !(inError || lingering)) {
            ctx.close(promise);
            return;
        }
        if (!lingering && !LingeringClose.canLinger(ctx.channel())) {
            ctx.close(promise); // no socket to linger on, or its input closed
            return;
        }
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        if (!lingering) {
            lingering = true;
            // behind all that is queued, the GOAWAY last
            LingeringClose.startBehind(ctx.channel(), ctx.writeAndFlush(Unpooled.EMPTY_BUFFER));
        }
    }
}

package org.rproxy.core.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Keeps the GOAWAY of an HTTP/2 connection error from being lost. On a connection error the codec
 * writes its GOAWAY (PROTOCOL_ERROR, FRAME_SIZE_ERROR, ENHANCE_YOUR_CALM, ...) and, once written,
 * closes; a client still sending then has unread bytes in the server's socket, the close makes
 * the kernel answer with a reset, and the reset discards what the socket has not sent yet (the
 * GOAWAY too, when it waits behind answers the client reads slowly) or reaches the client before
 * it has read it. So, told by {@link Http2ConnectionGuard} that the connection ends in error, this
 * step (ahead of the codec, which closes through it) turns the codec's close into the {@link
 * LingeringClose} of HTTP/1.1: half-close behind the GOAWAY, read and drop what still comes,
 * within the same bounds of time and bytes, then close. The codec closes more than once as its
 * GOAWAY's write completes: the closes of that moment wait for the linger's end; any other close
 * (idle, drain, the server's stop, before or after) goes on at once. One per HTTP/2 connection,
 * on its event loop.
 */
final class Http2ErrorClose extends ChannelOutboundHandlerAdapter {

    private boolean inError;
    /** The linger has just started: the codec's other closes of the same moment wait for it. */
    private boolean starting;

    /** The connection has met an HTTP/2 connection error: its coming close lingers. */
    void connectionError() {
        inError = true;
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (starting) {
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            return;
        }
        if (!inError) {
            ctx.close(promise);
            return;
        }
        inError = false;
        // lingers, or closes through here at once (no socket to linger on, or its input closed)
        LingeringClose.start(ctx.channel(), true);
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        if (ctx.pipeline().get(LingeringClose.NAME) != null) {
            starting = true;
            ctx.executor().execute(() -> starting = false);
        }
    }
}

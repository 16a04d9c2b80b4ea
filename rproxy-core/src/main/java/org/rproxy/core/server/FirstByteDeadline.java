package org.rproxy.core.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Closes a new connection that sends nothing, not even a TLS hello, within the first-byte
 * timeout ({@link FrontEndConfig#effectiveFirstByteTimeout()}), which is shorter than the idle
 * timeout {@link RequestDeadline} applies: a client that connects and says nothing is rarely a
 * client, and a flood of them should give their connection places back in seconds, not in a
 * minute. Leaves the pipeline at the first byte. First handler of a connection that is served
 * (before TLS, so it sees raw bytes); on the connection's event loop.
 */
final class FirstByteDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    FirstByteDeadline(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: > 0)");
        }
        this.timeoutNanos = timeoutNanos;
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
        if (timer == null) {
            timer = ctx.executor().schedule((Runnable) ctx::close, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}

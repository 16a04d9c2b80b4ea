package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket's handler: adds every accepted connection to the group that
 * {@link AltoHttpServer#close} closes, and weathers a failure to accept (the process out of
 * descriptors, typically, under a connection flood). Accepting then pauses for
 * {@link #PAUSE_MILLIS}, as Netty's own acceptor would, but the failure ends here with a
 * rate-limited warning: passed on, every one would reach the end of the pipeline and be logged
 * there with its stack trace. Shared; runs on the acceptor's event loop.
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {

    static final long PAUSE_MILLIS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(AltoHttpServer.class);

    private final ChannelGroup connections;
    private final RateLimitedLog warnings;

    AcceptGuard(ChannelGroup connections, RateLimitedLog warnings) {
        this.connections = requireNonNull(connections, "connections");
        this.warnings = requireNonNull(warnings, "warnings");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            connections.add(child);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        warnings.warn(LOG, "cannot accept connections ({}); pausing accepts for {} ms", cause.toString(), PAUSE_MILLIS);
        Channel listener = ctx.channel();
        if (listener.isActive() && listener.config().isAutoRead()) {
            listener.config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                if (listener.isActive()) {
                    listener.config().setAutoRead(true);
                }
            }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}

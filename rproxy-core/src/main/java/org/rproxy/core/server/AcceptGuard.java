package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;

import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket's handler: adds every accepted connection to the group that
 * {@link AltoHttpServer#close} closes, bounds the descriptors accepted connections hold, and
 * weathers a failure to accept.
 *
 * <p>The connection limit itself is counted on the worker loops ({@link ConnectionLimit}, where a
 * connection past it is answered 503); under a flood that starves them, the acceptor could accept
 * far faster than they count and refuse. So every accepted socket is counted here too, from
 * accept to close, and accepting stops while {@code ceiling} of them are open; it resumes when
 * one closes. Connections beyond wait in the kernel's accept queue, which holds no descriptor of
 * this process. The server sets the ceiling at the connection limit plus twice the refused
 * connections that may linger: with the workers keeping up, a refusal past the lingering ones is
 * closed at once, so the ceiling is not reached and a flood is refused promptly.
 *
 * <p>A failure to accept (the process out of descriptors, typically) pauses accepting for
 * {@link #PAUSE_MILLIS}, as Netty's own acceptor would, but ends here with a rate-limited
 * warning: passed on, every one would reach the end of the pipeline and be logged there with its
 * stack trace. Shared; runs on the acceptor's event loop (the close listeners hand back to it).
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {

    static final long PAUSE_MILLIS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(AltoHttpServer.class);

    private final ChannelGroup connections;
    private final RateLimitedLog warnings;
    private final int ceiling;
    private final AtomicInteger accepted = new AtomicInteger();
    /** Accepting stopped for the ceiling (not for a failure's pause). Acceptor loop only. */
    private boolean full;

    /** @param ceiling accepted sockets open at most before accepting stops */
    AcceptGuard(ChannelGroup connections, RateLimitedLog warnings, int ceiling) {
        this.connections = requireNonNull(connections, "connections");
        this.warnings = requireNonNull(warnings, "warnings");
        if (ceiling < 1) {
            throw new IllegalArgumentException("ceiling: " + ceiling + " (expected: >= 1)");
        }
        this.ceiling = ceiling;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            connections.add(child);
            accepted.incrementAndGet();
            Channel listener = ctx.channel();
            child.closeFuture().addListener(f -> {
                if (accepted.decrementAndGet() < ceiling) {
                    ctx.executor().execute(() -> resume(listener));
                }
            });
            if (accepted.get() >= ceiling && listener.config().isAutoRead()) {
                full = true;
                listener.config().setAutoRead(false);
                warnings.warn(LOG, "{} connections open, the most this server holds; accepting paused until one closes",
                        accepted.get());
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void resume(Channel listener) {
        if (full && accepted.get() < ceiling && listener.isActive()) {
            full = false;
            listener.config().setAutoRead(true);
        }
    }

    /** Accepted sockets open now. */
    int accepted() {
        return accepted.get();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        warnings.warn(LOG, "cannot accept connections ({}); pausing accepts for {} ms", cause.toString(), PAUSE_MILLIS);
        Channel listener = ctx.channel();
        if (listener.isActive() && listener.config().isAutoRead()) {
            listener.config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                if (listener.isActive() && !full) {
                    listener.config().setAutoRead(true);
                }
            }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}

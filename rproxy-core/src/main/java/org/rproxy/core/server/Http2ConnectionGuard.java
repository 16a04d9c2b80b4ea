package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2CodecUtil;

import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link RequestDeadline} and {@link ExchangeHandler} do for an HTTP/1.1 connection, done for
 * an HTTP/2 one as a whole (each stream has its own deadline and exchange): closes the connection
 * once it has had no open stream for the idle timeout; on the server's {@link
 * Drain#DRAIN}, or when the client closes its side (it can send no more, not even
 * flow-control credit), passes the drain on to every stream and then closes the connection
 * gracefully (the codec sends GOAWAY and waits, up to its own limit, for the streams in progress
 * to end; event streams end at once); holds the connection's {@link BodyBudget}, which bounds the
 * request-body bytes all its streams hold at once, and its {@link AnswerTurns}, which bound the
 * streams answered at once (within the server's {@link NodeAnswerPlaces}); and logs connection
 * failures. Last handler of the connection's pipeline, after the multiplexer; all state on the
 * connection's event loop.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http2ConnectionGuard.class);

    private final long idleNanos;
    private final RateLimitedLog warnings;
    private final Set<Channel> streams = new HashSet<>();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> idle;
    private boolean draining;
    /** The streams being answered at once, and those waiting their turn. */
    private AnswerTurns turns;
    /** The server's places for answers, which every connection's streams take theirs from. */
    private final NodeAnswerPlaces answers;
    /** The request-body bytes this connection's streams may hold at once. */
    private final BodyBudget bodies;

    Http2ConnectionGuard(long idleNanos, BodyBudget bodies, NodeAnswerPlaces answers, RateLimitedLog warnings) {
        this.idleNanos = idleNanos;
        this.answers = requireNonNull(answers, "answers");
        this.bodies = requireNonNull(bodies, "bodies");
        this.warnings = requireNonNull(warnings, "warnings");
    }

    /** The budget every stream's request body takes its bytes from ({@link BodyBudget#perConnection}, within the server's). */
    BodyBudget bodies() {
        return bodies;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.turns = new AnswerTurns(answers, ctx.executor());
        armIdle();
    }

    /** A stream was opened and will be served; on the event loop. */
    void opened(Channel stream) {
        streams.add(stream);
        cancelIdle();
        if (draining) {
            stream.pipeline().fireUserEventTriggered(Drain.DRAIN);
        }
        stream.closeFuture().addListener(f -> {
            streams.remove(stream);
            if (streams.isEmpty()) {
                armIdle();
            }
        });
    }

    /** A stream's turn to be answered among the connection's ({@link AnswerTurns}). */
    AnswerTurns.Turn turn() {
        return turns.turn();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != Drain.DRAIN && !(evt instanceof ChannelInputShutdownEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (draining) {
            return;
        }
        draining = true;
        for (Channel s : List.copyOf(streams)) {
            s.pipeline().fireUserEventTriggered(Drain.DRAIN);
        }
        ctx.channel().close();
    }

    private void armIdle() {
        cancelIdle();
        if (ctx.channel().isActive()) {
            idle = ctx.executor().schedule(() -> {
                idle = null;
                if (streams.isEmpty()) {
                    ctx.channel().close();
                }
            }, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdle() {
        if (idle != null) {
            idle.cancel(false);
            idle = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdle();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelIdle();
    }

    /**
     * Logs a connection failure and closes the connection, except after an HTTP/2 protocol error:
     * the codec hands that on before it sends its own GOAWAY with the error's code
     * (FRAME_SIZE_ERROR, PROTOCOL_ERROR, ENHANCE_YOUR_CALM, ...) and closes; a close here would go
     * first, as a graceful GOAWAY(NO_ERROR), and the client would never learn what it did wrong.
     * The codec's close then lingers ({@link Http2ErrorClose}, told by the codec's connection of
     * its GOAWAY), so that the GOAWAY survives a client still sending.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionFailures.log(LOG, warnings, ctx.channel(), cause);
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            ctx.close();
        }
    }
}

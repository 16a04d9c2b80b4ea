package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
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
 * once it has had no open stream for the idle timeout, unless a stop is closing it (an idle close
 * between the two GOAWAYs would leave out the second); on the server's {@link
 * Drain#DRAIN}, passes the drain on to every stream and tells the client to open no more in two
 * GOAWAYs ({@link GracefulGoAway}), the streams it opened before the second being answered too
 * (they are drained then); once the second GOAWAY is sent, or at once when the client closes its
 * side (it can send no more, not even flow-control credit or the PING's acknowledgement), closes
 * the connection gracefully (the codec waits, up to its own limit, for the streams in progress
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
    /** Streams opened during the stop's first step, drained at its second. */
    private final Set<Channel> undrained = new HashSet<>();
    private final GracefulGoAway goAway;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> idle;
    private boolean draining;
    /** The streams being answered at once, and those waiting their turn. */
    private AnswerTurns turns;
    /** The server's places for answers, which every connection's streams take theirs from. */
    private final NodeAnswerPlaces answers;
    /** The request-body bytes this connection's streams may hold at once. */
    private final BodyBudget bodies;

    /** @param drain the server's drain at a stop, which bounds the wait between its two GOAWAYs */
    Http2ConnectionGuard(long idleNanos, Duration drain, BodyBudget bodies, NodeAnswerPlaces answers,
                         RateLimitedLog warnings) {
        this.idleNanos = idleNanos;
        this.goAway = new GracefulGoAway(drain);
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
        if (goAway.waiting()) {
            undrained.add(stream); // its request has not been read yet: drained with the second GOAWAY
        } else if (draining) {
            stream.pipeline().fireUserEventTriggered(Drain.DRAIN);
        }
        stream.closeFuture().addListener(f -> {
            streams.remove(stream);
            undrained.remove(stream);
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
            goAway.end(); // the client has closed its side during the first step: no acknowledgement will come
            return;
        }
        draining = true;
        cancelIdle(); // the stop closes it now: an idle close between the GOAWAYs would skip the second
        drain(streams);
        if (evt == Drain.DRAIN) {
            goAway.start(ctx, this::finish);
        } else {
            finish();
        }
    }

    /**
     * After the last GOAWAY: drains the streams opened since the first, and closes gracefully.
     * Drained when they opened, they would have been closed unanswered: a stream opens as its
     * request head is read, and the drain came before the head reached its pipeline; by now it
     * has.
     */
    private void finish() {
        drain(undrained);
        undrained.clear();
        ctx.channel().close();
    }

    private static void drain(Set<Channel> some) {
        for (Channel s : List.copyOf(some)) {
            s.pipeline().fireUserEventTriggered(Drain.DRAIN);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        goAway.read(msg);
        ctx.fireChannelRead(msg);
    }

    private void armIdle() {
        cancelIdle();
        if (ctx.channel().isActive() && !draining) {
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
        goAway.cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelIdle();
        goAway.cancel();
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

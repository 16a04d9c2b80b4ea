package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2Exception;

import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.store.BodySpool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each {@link Exchange.Call} to the {@link AltoService} and writes the answers in request
 * order (RFC 9112 §9.3.2), whatever order the stages complete in. Last handler of a connection's
 * pipeline; all state is touched on the connection's event loop only ({@link ServiceCall} hands
 * each outcome back to it). {@link AnswerWriter} puts each answer on the wire.
 *
 * <p>On HTTP/1.1 the requests of a connection are handed on one at a time: the next once the
 * answer before it has been handed to the connection, and only while the connection is writable
 * and no body is going out in parts (see {@link #drain}). Reading stops (autoRead off) at
 * {@link #MAX_IN_FLIGHT} requests owed until half have been answered, and while the channel is
 * not writable. Waiting requests hold no reference-counted object and no answer, so dropping
 * them on close or error cannot leak, and a client that pipelines and does not read holds what
 * its connection's outbound buffer holds and its requests' bodies, which stay counted in the body
 * budget until each answer is handed on or its request dropped ({@link Slot#release}). An HTTP/2 stream's one request starts
 * when its turn among its connection's streams comes ({@link AnswerTurns}), and its answer is
 * handed to the stream as soon as it is made, writable or not, so that the stall timeout sees it. A
 * connection closes after the answer to a request that did not ask to keep it alive, or whose
 * unread body is still on the wire; requests pipelined behind that one are dropped unanswered. A {@link Reply.Stream} answer takes
 * the connection over the same way: requests behind it are dropped, reading goes on (to see the
 * peer leave), and the {@link EventStreamWriter} is told when the connection closes.
 *
 * <p>When the server stops ({@link Drain#DRAIN} event), or the client closes its side after its
 * requests (half-close), a connection owing no answer closes once the answers written have all
 * reached the socket, and a connection with answers still owed, or a request still arriving,
 * closes after the last of them, which says {@code Connection: close}. An event stream ends
 * when the server stops (its subscriber reconnects elsewhere) and is cut when its subscriber
 * closes its side: the end of the stream might never get past a full socket buffer.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {

    /** The requests a connection may owe answers to before it stops reading. */
    static final int MAX_IN_FLIGHT = 32;

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);

    private final AltoService service;
    private final AnswerWriter answers;
    private final RateLimitedLog warnings;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean closing;
    /** Stopping, or the client has closed its side: no request will follow the ones owed. */
    private boolean finishing;
    private EventStreamWriter stream;
    private boolean draining;
    private boolean drainAgain;
    /** An HTTP/2 stream's turn among its connection's streams being answered ({@link AnswerTurns}), or null (HTTP/1.1). */
    private final AnswerTurns.Turn turn;

    /**
     * @param warnings   the server's limiter for the warnings and errors written here
     * @param files      the spool whose files this connection sends by sendfile, or null (TLS, HTTP/2)
     * @param sends      the server's bound on bodies sent in parts ({@link BodyPump}), or null: none is
     * @param connection for an HTTP/2 stream, its connection, which bounds the streams answered at once; else null
     */
    ExchangeHandler(AltoService service, ResponseRenderer renderer, RequestObserver observer, FrontEndConfig config,
                    RateLimitedLog warnings, BodySpool files, NodeSendBudget sends, Http2ConnectionGuard connection) {
        this.service = requireNonNull(service, "service");
        this.answers = new AnswerWriter(renderer, observer, config, warnings, service, files, sends);
        this.warnings = warnings;
        this.turn = connection == null ? null : connection.turn();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == Exchange.ContinueWanted.INSTANCE) {
            if (!closing && slots.isEmpty()) {
                AnswerWriter.writeContinue(ctx);
            }
            return;
        }
        if (!(msg instanceof Exchange exchange)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closing || !ctx.channel().isActive()) {
            Slot.release(exchange);
            return; // what the decoder had when the client left (a truncated request): nobody to answer
        }
        slots.add(new Slot(exchange));
        if (slots.size() >= MAX_IN_FLIGHT) {
            autoRead(false);
        }
        drain(); // starts it when its turn has come; else it waits, unstarted
    }

    private void start(Slot slot) {
        slot.started = true;
        if (slot.exchange instanceof Exchange.Refusal refusal) {
            complete(slot, Reply.error(refusal.error(), refusal.dialect()), null);
        } else {
            ServiceCall.start(service, ((Exchange.Call) slot.exchange).request(), ctx.executor(),
                    (reply, failure) -> complete(slot, reply, failure));
        }
    }

    private void complete(Slot slot, Reply reply, Throwable failure) {
        Throwable cause = Completions.cause(failure);
        if (cause instanceof ClientWait.Gone) {
            return; // skipped because the client left (ClientWait): nobody to answer
        }
        if (failure != null || reply == null) {
            RequestHead head = slot.exchange.head();
            warnings.error(LOG, "service failed on {} {}", head.method(), head.path(),
                    cause != null ? cause : new NullPointerException("service completed with a null reply"));
            reply = answers.internalError(head);
        }
        slot.reply = reply;
        drain();
    }

    /**
     * Writes every answer that is ready, from the oldest request on, and stops at the first gap, or once the channel
     * is not writable: no further request is read until the client takes what was written
     * ({@link #channelWritabilityChanged}). Then starts the next request, if its turn has come ({@link #startNext}).
     * An answer is made only when it can be handed on: made ahead, a pipelined answer held its whole body (a computed
     * answer's heap bytes, or a copy the store has since let go of) for as long as the client did not read, 32 of them
     * a connection, outside every bound. Not re-entered: an answer completed while it runs is written by the same run,
     * and a request started by it and answered at once (a lookup) is written next.
     */
    private void drain() {
        if (draining) {
            drainAgain = true;
            return;
        }
        draining = true;
        try {
            do {
                drainAgain = false;
                writeReady();
                startNext();
            } while (drainAgain && !closing);
        } finally {
            draining = false;
        }
        if (closing) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            autoRead(false);
        } else if (!ctx.channel().config().isAutoRead() && slots.size() <= MAX_IN_FLIGHT / 2) {
            autoRead(true);
        }
    }

    private void writeReady() {
        boolean wrote = false;
        // an answer waits while the body before it is still going out in parts (AnswerWriter.pumping)
        while (!answers.pumping(ctx, this::drain) && !closing && !slots.isEmpty() && slots.peek().reply != null
                && (turn != null || ctx.channel().isWritable())) {
            wrote = true;
            Slot next = slots.poll();
            next.release();
            if (next.reply instanceof Reply.Stream s) {
                closing = true;
                dropSlots();
                autoRead(true);
                stream = answers.startStream(ctx, next.exchange.head(), s);
                if (turn != null) {
                    turn.giveBack(); // bounded by its writer, and open for as long as it is followed
                }
                break;
            }
            if (answers.write(ctx, next.exchange, next.reply, finishing && slots.isEmpty())) {
                closing = true;
                dropSlots();
                autoRead(false);
            }
        }
        if (wrote) {
            ctx.flush();
        }
    }

    /**
     * Starts the oldest request owed when none before it is owed and, on HTTP/1.1, the connection is writable and no
     * body is going out in parts: a client that takes nothing gets nothing more made for it. An HTTP/2 stream carries
     * one request, started when its turn among the connection's comes ({@link AnswerTurns}).
     */
    private void startNext() {
        Slot next = slots.peek();
        if (closing || next == null || next.started) {
            return;
        }
        if (turn != null) {
            next.started = true;
            turn.await(() -> start(next)); // if the stream closes first, giveBack drops the wait
        } else if (ctx.channel().isWritable() && !answers.pumpingNow()) {
            start(next); // else channelWritabilityChanged, or the pump's next turn, drains again
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && stream == null) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Drops the requests owed, unanswered, giving their bodies back to the budget. */
    private void dropSlots() {
        for (Slot s; (s = slots.poll()) != null; ) {
            s.release();
        }
    }

    /** Turns reading on or off while open: once closed, Netty fails on autoRead changes (NPE, AssertionError with -ea). */
    private void autoRead(boolean on) {
        if (ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(on);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof Drain) && !(evt instanceof ChannelInputShutdownEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        finishing = true;
        if (evt == Drain.AFTER_ARRIVING) {
            return; // the request arriving is answered last, saying Connection: close
        }
        if (stream != null && evt == Drain.DRAIN) {
            stream.close();
        } else if (stream != null) {
            closing = true;
            ctx.close();
        } else if (slots.isEmpty()) {
            closing = true;
            answers.closeOnceWritten(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        dropSlots();
        answers.drop();
        if (turn != null) {
            turn.giveBack(); // an HTTP/2 stream closes once its answer's last frame is sent
        }
        if (stream != null) {
            stream.closed();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Logs and closes; not for an HTTP/2 stream error in the client's frames, which the multiplexer
     * resets next with its code (PROTOCOL_ERROR, ...): a close here would send CANCEL first.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionFailures.log(LOG, warnings, ctx.channel(), cause);
        if (!(cause instanceof Http2Exception.StreamException)) {
            ctx.close();
        }
    }
}

package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;

/**
 * Turns the decoder's stream of {@code HttpObject}s into exactly one {@link Exchange} per request:
 * a {@link Exchange.Call} carrying a complete {@link AltoRequest}, or a {@link Exchange.Refusal}
 * the front end answers itself. Sits after the HTTP codec, one instance per connection, on its
 * event loop.
 *
 * <p>The head is checked by {@link HeadChecks}, in a fixed order, each failure ending the request.
 * A chunked body is counted as it arrives and refused (413) once over the limit. A body is held in
 * a {@link BodyAccumulator} that grows as its bytes arrive, taking them from the connection's
 * {@link BodyBudget} and so from the server's {@link NodeBodyBudget}: a body either has no room
 * for is refused (503, {@code Retry-After}), at its head when a budget is spent already, else at
 * the piece that would pass it; the bytes are given back when the request is refused, or its
 * channel goes (the connection closed, the HTTP/2 stream reset, an error), and a complete body's
 * once it is no longer held for its request. An HTTP/2 stream's stays counted until its stream
 * closes: it waits there for its turn ({@link AnswerTurns}) and is held while answered, up to
 * {@code maxStreams} bodies a connection that the budget would otherwise not see; an HTTP/1.1
 * request's goes with it to the {@link ExchangeHandler} ({@link Exchange.Call#release}), which
 * gives it back once its answer is handed on: pipelined requests wait there for their turn, up to
 * 32 a connection, each holding its body. When a refused
 * request still has body bytes on the wire, or its framing is in doubt, the connection is closed
 * after the answer (a {@link LingeringClose}), and all further input is discarded (so a request
 * smuggled inside a body is never seen). Every message is released here; nothing is retained.
 *
 * <p>When the server stops ({@link Drain#DRAIN}) while a request's body is still
 * arriving, the drain is passed on as {@link Drain#AFTER_ARRIVING}: that request
 * is answered like the ones already owed, not cut off (the request deadline bounds the wait).
 * Over HTTP/2 that request never gets here: {@link UnfinishedRequest}, ahead of this step, resets
 * its stream with {@code REFUSED_STREAM}, and the client may send it again elsewhere.
 */
final class RequestAssembler extends ChannelInboundHandlerAdapter {

    private enum State { AWAIT_HEAD, READ_BODY, SKIP_BODY, DISCARD }

    private final FrontEndConfig config;
    private final HeadChecks checks;
    private final BodyBudget budget;
    /** The connection's (an HTTP/2 stream's) client: told when it leaves, so that work queued for its requests is skipped. */
    private final ClientWait wait;
    private State state = State.AWAIT_HEAD;
    private RequestHead head;
    private AltoRequest request;
    private BodyAccumulator body;
    /** An HTTP/2 stream's complete body, counted until the stream closes; else null. */
    private BodyAccumulator held;

    /**
     * @param budget  the request-body bytes the connection may hold at once (shared by an HTTP/2 connection's streams, and bounded by the server's)
     * @param skipped the server's count of work skipped because its client had left ({@link ClientWait})
     */
    RequestAssembler(FrontEndConfig config, AltoService service, RateLimitedLog warnings, BodyBudget budget, LongAdder skipped) {
        this.config = requireNonNull(config, "config");
        this.checks = new HeadChecks(config, service, warnings);
        this.budget = requireNonNull(budget, "budget");
        this.wait = new ClientWait(skipped);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest req && state != State.DISCARD) {
                onHead(ctx, req);
            }
            if (msg instanceof HttpContent content) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest req) {
        // An HTTP/2 request has no request line for the decoder to bound: its target is held to the same limit.
        boolean targetTooLong = req.uri().length() > config.maxInitialLineLength();
        RequestTarget target = null;
        String targetError = null;
        try {
            target = targetTooLong ? null : RequestTarget.parse(req.uri());
        } catch (IllegalArgumentException e) {
            targetError = e.getMessage();
        }
        RequestHead h = RequestHead.of(req, target);
        Exchange.Refusal refusal = checks.refusal(req, h, target, targetError, budget);
        if (refusal != null) {
            refuse(ctx, refusal);
            return;
        }
        head = h;
        request = new AltoRequest(h.method(), target.path(), target.query(), target.normal(),
                contentType(req.headers().get(HttpHeaderNames.CONTENT_TYPE)),
                req.headers().get(HttpHeaderNames.ACCEPT), Bytes.empty(), req.headers().get(HttpHeaderNames.HOST));
        body = new BodyAccumulator(config.maxBodyBytes(), HeadChecks.declaredLength(req), budget);
        state = State.READ_BODY;
        if (HeadChecks.continueWanted(req) && HeadChecks.hasBody(req)) {
            ctx.fireChannelRead(Exchange.ContinueWanted.INSTANCE);
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        switch (state) {
            case SKIP_BODY -> state = last ? State.AWAIT_HEAD : State.SKIP_BODY;
            case READ_BODY -> readBody(ctx, content, last);
            default -> {
                // AWAIT_HEAD cannot see content from a well-behaved decoder; DISCARD drops everything.
            }
        }
    }

    private void readBody(ChannelHandlerContext ctx, HttpContent content, boolean last) {
        if (content.decoderResult().isFailure()) {
            refuse(ctx, checks.refuse(head, FrontEndErrors.badRequest("malformed request body framing"), List.of(), true));
            return;
        }
        AltoError refused = switch (body.append(content.content())) {
            case TOO_LARGE -> FrontEndErrors.bodyTooLarge(config.maxBodyBytes());
            case CONNECTION_FULL -> HeadChecks.noRoom(BodyBudget.Room.CONNECTION_FULL, budget);
            case NODE_FULL -> HeadChecks.noRoom(BodyBudget.Room.NODE_FULL, budget);
            case TAKEN -> null;
        };
        if (refused != null) {
            refuse(ctx, checks.refuse(head, refused, List.of(), true));
            return;
        }
        if (!last) {
            return;
        }
        boolean noBody = request.method().equals("GET") || request.method().equals("HEAD");
        AltoRequest r = request;
        Bytes bytes = noBody ? Bytes.empty() : body.handOver();
        BodyAccumulator handed = null;
        if (ctx.channel() instanceof Http2StreamChannel) {
            held = body; // one request a stream: nothing else comes to take it from the budget
            body = null;
        } else if (!noBody) {
            handed = body; // waits with its request for its turn, behind those pipelined before it
            body = null;
        }
        Exchange call = new Exchange.Call(head, new AltoRequest(r.method(), r.path(), r.query(), r.target(),
                r.contentType(), r.accept(), bytes, r.host(), wait), handed);
        clear(State.AWAIT_HEAD);
        ctx.fireChannelRead(call);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            wait.leave(); // now: the stream's channel closes only after the rest of the connection's read
        }
        ctx.fireUserEventTriggered(evt == Drain.DRAIN && state == State.READ_BODY
                ? Drain.AFTER_ARRIVING : evt);
    }

    private void refuse(ChannelHandlerContext ctx, Exchange.Refusal refusal) {
        clear(refusal.close() ? State.DISCARD : State.SKIP_BODY);
        ctx.fireChannelRead(refusal);
    }

    private void clear(State next) {
        if (next == State.DISCARD && held != null) {
            held.release(); // the stream is gone
            held = null;
        }
        state = next;
        head = null;
        request = null;
        if (body != null) {
            body.release();
            body = null;
        }
    }

    /**
     * The connection (or HTTP/2 stream) is gone: a body still arriving gives its bytes back to the budget, and work
     * queued for its requests is skipped ({@link ClientWait}).
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        wait.leave();
        clear(State.DISCARD);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        clear(State.DISCARD);
    }

    /** The media type without parameters, lower case, or null. */
    private static String contentType(String field) {
        if (field == null) {
            return null;
        }
        int semicolon = field.indexOf(';');
        String type = (semicolon < 0 ? field : field.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return type.isEmpty() ? null : type;
    }
}

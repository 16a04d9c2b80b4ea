package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the decoder's stream of {@code HttpObject}s into exactly one {@link Exchange} per request:
 * a {@link Exchange.Call} carrying a complete {@link AltoRequest}, or a {@link Exchange.Refusal}
 * the front end answers itself. Sits after the HTTP codec, one instance per connection, on its
 * event loop.
 *
 * <p>The head is checked in a fixed order, each failure ending the request: decoding (400, or
 * 414/431 for the limits of RFC 9112 §3 and RFC 6585 §5), a target longer than the request-line
 * limit (414: an HTTP/2 request, which has no request line for the decoder to bound), protocol version (505), body framing
 * (400 or 501, {@link HeadRules#framing}), {@code Host} (400), method (405 with the resource's
 * {@code Allow}, or 404 when the service has no such resource), expectation (417, RFC 9110
 * §10.1.1), content coding of a body (415 with {@code Accept-Encoding: identity},
 * {@link HeadRules#contentEncoding}), declared length (413, answered before any of the body is
 * read), target (400). A
 * chunked body is counted as it arrives and refused (413) once over the limit. A body is held in
 * a {@link BodyAccumulator} that grows as its bytes arrive, taking them from the connection's
 * {@link BodyBudget}: a body the budget has no room for is refused (503, {@code Retry-After}),
 * at its head when the budget is spent already, else at the piece that would pass it; the bytes
 * are given back when the request is complete, refused, or its channel goes. When a refused
 * request still has body bytes on the wire, or its framing is in doubt, the connection is closed
 * after the answer, and all further input is discarded (so a request smuggled inside a body is
 * never seen). Every message is released here; nothing is retained.
 *
 * <p>When the server stops ({@link ExchangeHandler#DRAIN}) while a request's body is still
 * arriving, the drain is passed on as {@link ExchangeHandler#DRAIN_AFTER_ARRIVING}: that request
 * is answered like the ones already owed, not cut off (the request deadline bounds the wait).
 */
final class RequestAssembler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestAssembler.class);
    private static final Set<String> ALLOWED = Set.of("GET", "HEAD", "POST");
    /** With a 415 for a content coding: what a request body may be coded with (RFC 9110 §12.5.3). */
    private static final HeaderField IDENTITY_ONLY = new HeaderField("accept-encoding", "identity");

    private enum State { AWAIT_HEAD, READ_BODY, SKIP_BODY, DISCARD }

    private final FrontEndConfig config;
    private final AltoService service;
    private final RateLimitedLog warnings;
    private final BodyBudget budget;
    private State state = State.AWAIT_HEAD;
    private RequestHead head;
    private AltoRequest request;
    private BodyAccumulator body;

    /** @param budget the request-body bytes the connection may hold at once (shared by an HTTP/2 connection's streams) */
    RequestAssembler(FrontEndConfig config, AltoService service, RateLimitedLog warnings, BodyBudget budget) {
        this.config = requireNonNull(config, "config");
        this.service = requireNonNull(service, "service");
        this.warnings = requireNonNull(warnings, "warnings");
        this.budget = requireNonNull(budget, "budget");
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
        if (req.decoderResult().isFailure()) {
            refuse(ctx, h, decodingError(req), List.of(), true);
            return;
        }
        if (targetTooLong) {
            refuse(ctx, h, FrontEndErrors.requestLineTooLong(config.maxInitialLineLength()), List.of(), true);
            return;
        }
        if (req.protocolVersion().majorVersion() != 1) {
            refuse(ctx, h, FrontEndErrors.versionNotSupported(req.protocolVersion().text()), List.of(), true);
            return;
        }
        AltoError framing = HeadRules.framing(req);
        if (framing != null) {
            refuse(ctx, h, framing, List.of(), true);
            return;
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(req);
        long length = chunked ? -1 : HttpUtil.getContentLength(req, 0L);
        boolean hasBody = chunked || length > 0;
        AltoError host = HeadRules.host(req);
        if (host != null) {
            refuse(ctx, h, host, List.of(), hasBody);
            return;
        }
        if (!ALLOWED.contains(h.method())) {
            refuseMethod(ctx, h, hasBody);
            return;
        }
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        // RFC 9110 §10.1.1: an expectation in an HTTP/1.0 request is ignored.
        boolean checkExpect = expect != null && !req.protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (checkExpect && !expect.trim().equalsIgnoreCase("100-continue")) {
            refuse(ctx, h, FrontEndErrors.expectationFailed(expect), List.of(), hasBody);
            return;
        }
        AltoError coding = hasBody ? HeadRules.contentEncoding(req) : null;
        if (coding != null) {
            refuse(ctx, h, coding, List.of(IDENTITY_ONLY), true);
            return;
        }
        if (length > config.maxBodyBytes()) {
            refuse(ctx, h, FrontEndErrors.bodyTooLarge(config.maxBodyBytes()), List.of(), true);
            return;
        }
        if (target == null) {
            refuse(ctx, h, FrontEndErrors.badRequest(targetError), List.of(), hasBody);
            return;
        }
        if (hasBody && budget.spent()) {
            refuse(ctx, h, FrontEndErrors.bodiesInProgress(budget.limit()), List.of(), true);
            return;
        }
        head = h;
        request = new AltoRequest(h.method(), target.path(), target.query(), target.normal(),
                contentType(req.headers().get(HttpHeaderNames.CONTENT_TYPE)),
                req.headers().get(HttpHeaderNames.ACCEPT), Bytes.empty(), req.headers().get(HttpHeaderNames.HOST));
        body = new BodyAccumulator(config.maxBodyBytes(), length, budget);
        state = State.READ_BODY;
        if (checkExpect && hasBody) {
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
            refuse(ctx, head, FrontEndErrors.badRequest("malformed request body framing"), List.of(), true);
            return;
        }
        switch (body.append(content.content())) {
            case TOO_LARGE -> {
                refuse(ctx, head, FrontEndErrors.bodyTooLarge(config.maxBodyBytes()), List.of(), true);
                return;
            }
            case NO_ROOM -> {
                refuse(ctx, head, FrontEndErrors.bodiesInProgress(budget.limit()), List.of(), true);
                return;
            }
            case TAKEN -> {
                // read on
            }
        }
        if (!last) {
            return;
        }
        boolean noBody = request.method().equals("GET") || request.method().equals("HEAD");
        AltoRequest r = request;
        Exchange call = new Exchange.Call(head, new AltoRequest(r.method(), r.path(), r.query(), r.target(),
                r.contentType(), r.accept(), noBody ? Bytes.empty() : body.toBytes(), r.host()));
        clear(State.AWAIT_HEAD);
        ctx.fireChannelRead(call);
    }

    /** 405 with what the resource accepts, or 404 when the service knows no such resource. */
    private void refuseMethod(ChannelHandlerContext ctx, RequestHead h, boolean hasBody) {
        String allow = h.path().equals(RequestHead.UNKNOWN) ? AltoService.ALL_METHODS : allow(h.path());
        if (allow == null) {
            refuse(ctx, h, FrontEndErrors.notFound(h.path()), List.of(), hasBody);
        } else {
            refuse(ctx, h, FrontEndErrors.methodNotAllowed(h.method(), allow),
                    List.of(new HeaderField("allow", allow)), hasBody);
        }
    }

    private String allow(String path) {
        try {
            return service.allow(path);
        } catch (RuntimeException e) {
            warnings.warn(LOG, "service failed to say what {} accepts", path, e);
            return AltoService.ALL_METHODS;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ctx.fireUserEventTriggered(evt == ExchangeHandler.DRAIN && state == State.READ_BODY
                ? ExchangeHandler.DRAIN_AFTER_ARRIVING : evt);
    }

    private void refuse(ChannelHandlerContext ctx, RequestHead h, AltoError error, List<HeaderField> headers,
                        boolean close) {
        clear(close ? State.DISCARD : State.SKIP_BODY);
        ctx.fireChannelRead(new Exchange.Refusal(h, error, config.dialectFor(h.path()), headers, close));
    }

    private void clear(State next) {
        state = next;
        head = null;
        request = null;
        if (body != null) {
            body.release();
            body = null;
        }
    }

    /** The connection (or HTTP/2 stream) is gone with a body still arriving: its bytes go back to the budget. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clear(State.DISCARD);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        clear(State.DISCARD);
    }

    private AltoError decodingError(HttpRequest req) {
        Throwable cause = req.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            return FrontEndErrors.requestLineTooLong(config.maxInitialLineLength());
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return FrontEndErrors.headersTooLarge(config.maxHeaderBytes());
        }
        // Netty refuses some framings itself (content-length with transfer-encoding, codings it
        // does not know); the head's own rules still name the field and the status
        AltoError framing = HeadRules.framing(req);
        if (framing != null) {
            return framing;
        }
        AltoError length = HeadRules.contentLength(req);
        return length != null ? length : FrontEndErrors.badRequest("malformed request");
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

package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of a request head for {@link RequestAssembler}, in a fixed order, the first failure
 * deciding the answer: decoding (400, or 414/431 for the limits of RFC 9112 §3 and RFC 6585 §5), a
 * target longer than the request-line limit (414: an HTTP/2 request, which has no request line for
 * the decoder to bound), protocol version (505), body framing (400 or 501, {@link
 * HeadRules#framing}), {@code Host} (400), method (405 with the resource's {@code Allow}, or 404
 * when the service has no such resource), expectation (417, RFC 9110 §10.1.1), content coding of
 * a body (415 with {@code Accept-Encoding: identity}, {@link HeadRules#contentEncoding}),
 * declared length (413, answered before any of the body is read), target (400), and room for a
 * body in the connection's and the server's {@link BodyBudget} (503, {@code Retry-After}). A
 * refusal closes the connection when body bytes are on the wire or the framing is in doubt.
 * One per connection (or HTTP/2 stream), on its event loop.
 */
final class HeadChecks {

    /** Under the assembler's name, as before these checks had a class of their own. */
    private static final Logger LOG = LoggerFactory.getLogger(RequestAssembler.class);
    private static final Set<String> ALLOWED = Set.of("GET", "HEAD", "POST");
    /** With a 415 for a content coding: what a request body may be coded with (RFC 9110 §12.5.3). */
    private static final HeaderField IDENTITY_ONLY = new HeaderField("accept-encoding", "identity");

    private final FrontEndConfig config;
    private final AltoService service;
    private final RateLimitedLog warnings;

    HeadChecks(FrontEndConfig config, AltoService service, RateLimitedLog warnings) {
        this.config = requireNonNull(config, "config");
        this.service = requireNonNull(service, "service");
        this.warnings = requireNonNull(warnings, "warnings");
    }

    /** Whether a request of this head has a body to read (declared or chunked). */
    static boolean hasBody(HttpRequest req) {
        return HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
    }

    /** The declared length of the body, or -1 for a chunked one. */
    static long declaredLength(HttpRequest req) {
        return HttpUtil.isTransferEncodingChunked(req) ? -1 : HttpUtil.getContentLength(req, 0L);
    }

    /** Whether the client waits for {@code 100 (Continue)}; only once the head has passed {@link #refusal}. */
    static boolean continueWanted(HttpRequest req) {
        // RFC 9110 §10.1.1: an expectation in an HTTP/1.0 request is ignored.
        return req.headers().get(HttpHeaderNames.EXPECT) != null && !req.protocolVersion().equals(HttpVersion.HTTP_1_0);
    }

    /**
     * The refusal of {@code req}, or null when it may be read.
     *
     * @param h           its head as the answer will see it
     * @param target      its parsed target, or null when too long or not parsed
     * @param targetError why the target did not parse, or null
     * @param budget      the connection's, which a body needs room in
     */
    Exchange.Refusal refusal(HttpRequest req, RequestHead h, RequestTarget target, String targetError, BodyBudget budget) {
        if (req.decoderResult().isFailure()) {
            return refuse(h, decodingError(req), List.of(), true);
        }
        if (req.uri().length() > config.maxInitialLineLength()) {
            return refuse(h, FrontEndErrors.requestLineTooLong(config.maxInitialLineLength()), List.of(), true);
        }
        if (req.protocolVersion().majorVersion() != 1) {
            return refuse(h, FrontEndErrors.versionNotSupported(req.protocolVersion().text()), List.of(), true);
        }
        AltoError framing = HeadRules.framing(req);
        if (framing != null) {
            return refuse(h, framing, List.of(), true);
        }
        boolean hasBody = hasBody(req);
        AltoError host = HeadRules.host(req);
        if (host != null) {
            return refuse(h, host, List.of(), hasBody);
        }
        if (!ALLOWED.contains(h.method())) {
            return refuseMethod(h, hasBody);
        }
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        if (continueWanted(req) && !expect.trim().equalsIgnoreCase("100-continue")) {
            return refuse(h, FrontEndErrors.expectationFailed(expect), List.of(), hasBody);
        }
        AltoError coding = hasBody ? HeadRules.contentEncoding(req) : null;
        if (coding != null) {
            return refuse(h, coding, List.of(IDENTITY_ONLY), true);
        }
        if (declaredLength(req) > config.maxBodyBytes()) {
            return refuse(h, FrontEndErrors.bodyTooLarge(config.maxBodyBytes()), List.of(), true);
        }
        if (target == null) {
            return refuse(h, FrontEndErrors.badRequest(targetError), List.of(), hasBody);
        }
        AltoError room = hasBody ? noRoom(budget.room(), budget) : null;
        return room == null ? null : refuse(h, room, List.of(), true);
    }

    /**
     * The 503 of a body the budget has no room for, counted as refused, or null when {@code room}
     * is {@link BodyBudget.Room#TAKEN}.
     */
    static AltoError noRoom(BodyBudget.Room room, BodyBudget budget) {
        if (room != BodyBudget.Room.TAKEN) {
            budget.node().countRefused();
        }
        return switch (room) {
            case TAKEN -> null;
            case CONNECTION_FULL -> FrontEndErrors.bodiesInProgress(budget.limit());
            case NODE_FULL -> FrontEndErrors.bodiesOnServer(budget.node().limit());
        };
    }

    /** 405 with what the resource accepts, or 404 when the service knows no such resource. */
    private Exchange.Refusal refuseMethod(RequestHead h, boolean hasBody) {
        String allow = h.path().equals(RequestHead.UNKNOWN) ? AltoService.ALL_METHODS : allow(h.path());
        if (allow == null) {
            return refuse(h, FrontEndErrors.notFound(h.path()), List.of(), hasBody);
        }
        return refuse(h, FrontEndErrors.methodNotAllowed(h.method(), allow), List.of(new HeaderField("allow", allow)),
                hasBody);
    }

    private String allow(String path) {
        try {
            return service.allow(path);
        } catch (RuntimeException e) {
            warnings.warn(LOG, "service failed to say what {} accepts", path, e);
            return AltoService.ALL_METHODS;
        }
    }

    /** A refusal in the dialect of the head's path; {@code close}: input that will not be read may follow. */
    Exchange.Refusal refuse(RequestHead h, AltoError error, List<HeaderField> headers, boolean close) {
        return new Exchange.Refusal(h, error, config.dialectFor(h.path()), headers, close);
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
}

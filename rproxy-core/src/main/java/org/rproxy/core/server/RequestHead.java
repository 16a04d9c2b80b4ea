package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * What the response side needs to know about one request, apart from the {@link AltoRequest}
 * itself: how to frame the answer and which variant and status to choose.
 *
 * @param method      the request method as received, {@code "-"} when the request line was unreadable
 * @param path        the decoded path, {@code "-"} when unknown
 * @param keepAlive   whether the client lets the connection stay open after the response
 * @param http10      whether the request was HTTP/1.0 (keep-alive must then be announced)
 * @param acceptsGzip whether the gzip variant may be sent (RFC 9110 §12.5.3)
 * @param ifNoneMatch the {@code If-None-Match} field values joined by commas, or null
 * @param startNanos  {@link System#nanoTime()} when the head was decoded
 * @param fromVarnish whether the request is a Varnish's backend fetch ({@link VariantChoice#fromVarnish})
 */
record RequestHead(String method, String path, boolean keepAlive, boolean http10, boolean acceptsGzip,
                   String ifNoneMatch, long startNanos, boolean fromVarnish) {

    static final String UNKNOWN = "-";

    RequestHead {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
    }

    /** A head of a request that is no Varnish's backend fetch. */
    RequestHead(String method, String path, boolean keepAlive, boolean http10, boolean acceptsGzip,
                String ifNoneMatch, long startNanos) {
        this(method, path, keepAlive, http10, acceptsGzip, ifNoneMatch, startNanos, false);
    }

    /** The head of {@code req}; {@code target} is null when the request target did not parse. */
    static RequestHead of(HttpRequest req, RequestTarget target) {
        List<String> tags = req.headers().getAll(HttpHeaderNames.IF_NONE_MATCH);
        // After an overlong request line Netty reports a placeholder request: method and path are unknown.
        boolean lineUnread = req.decoderResult().cause() instanceof TooLongHttpLineException;
        String method = lineUnread ? UNKNOWN : req.method().name();
        String path = target == null || lineUnread ? UNKNOWN : target.path();
        return new RequestHead(method, path, HttpUtil.isKeepAlive(req),
                req.protocolVersion().equals(HttpVersion.HTTP_1_0),
                VariantChoice.gzip(req.headers()),
                tags.isEmpty() ? null : String.join(",", tags), System.nanoTime(),
                VariantChoice.fromVarnish(req.headers()));
    }

    boolean isHead() {
        return "HEAD".equals(method);
    }
}

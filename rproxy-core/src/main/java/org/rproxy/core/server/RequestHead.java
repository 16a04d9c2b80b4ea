package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

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
 */
record RequestHead(String method, String path, boolean keepAlive, boolean http10, boolean acceptsGzip,
                   String ifNoneMatch, long startNanos) {

    static final String UNKNOWN = "-";

    RequestHead {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
    }

    boolean isHead() {
        return "HEAD".equals(method);
    }
}

package org.rproxy.core.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * A request target (RFC 9112 §3.2) split into decoded path and query parameters. Accepts origin
 * form ({@code /path?query}) and absolute form ({@code http://host/path?query}); anything else
 * is a client error. Query parameters are split on {@code &} only.
 */
record RequestTarget(String path, Map<String, List<String>> query) {

    private static final int MAX_PARAMS = 256;

    RequestTarget {
        query = Map.copyOf(query);
    }

    /** @throws IllegalArgumentException with a client-safe message when the target is unusable */
    static RequestTarget parse(String raw) {
        String origin = raw.startsWith("/") ? raw : originForm(raw);
        QueryStringDecoder decoder = new QueryStringDecoder(origin, StandardCharsets.UTF_8, true, MAX_PARAMS, true);
        try {
            return new RequestTarget(decoder.path(), decoder.parameters());
        } catch (IllegalArgumentException e) {
            // Netty's message quotes the whole target; ours stays short.
            throw new IllegalArgumentException("request target: invalid percent-encoding");
        }
    }

    private static String originForm(String raw) {
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("request target: not a valid URI");
        }
        if (!uri.isAbsolute() || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("request target: expected /path or an absolute URI");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
}

package org.rproxy.core.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * A request target (RFC 9112 §3.2) split into decoded path and query parameters, with its
 * normal origin form ({@link TargetForm}). Accepts origin form ({@code /path?query}) and
 * absolute form ({@code http://host/path?query}); anything else is a client error. Query
 * parameters are split on {@code &} only.
 *
 * @param path   the decoded path
 * @param query  the decoded query parameters, in order
 * @param normal the target in normal origin form: what documents are found by
 */
record RequestTarget(String path, Map<String, List<String>> query, String normal) {

    private static final int MAX_PARAMS = 256;

    RequestTarget {
        query = Map.copyOf(query);
    }

    /** @throws IllegalArgumentException with a client-safe message when the target is unusable */
    static RequestTarget parse(String raw) {
        String normal = TargetForm.of(raw);
        QueryStringDecoder decoder = new QueryStringDecoder(normal, StandardCharsets.UTF_8, true, MAX_PARAMS, true);
        try {
            return new RequestTarget(decoder.path(), decoder.parameters(), normal);
        } catch (IllegalArgumentException e) {
            // Netty's message quotes the whole target; ours stays short.
            throw new IllegalArgumentException("request target: invalid percent-encoding");
        }
    }
}

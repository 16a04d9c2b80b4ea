package org.rproxy.core.upstream;

import static java.util.Objects.requireNonNull;

import java.util.List;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;

/**
 * One request to the upstream, without Netty types: the feed builds it, the client writes it.
 *
 * @param method  {@code GET} or {@code POST}
 * @param target  the request target in origin form, {@code /path?query}
 * @param headers extra header fields ({@code host} and {@code content-length} are the client's)
 * @param body    the body, empty for GET
 */
public record UpstreamRequest(String method, String target, List<HeaderField> headers, Bytes body) {
    public UpstreamRequest {
        requireNonNull(method, "method");
        requireNonNull(target, "target");
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("target: " + target + " (expected: /path?query)");
        }
        headers = List.copyOf(headers);
        requireNonNull(body, "body");
    }

    public static UpstreamRequest get(String target, List<HeaderField> headers) {
        return new UpstreamRequest("GET", target, headers, Bytes.empty());
    }
}

package org.rproxy.core.upstream;

import static java.util.Objects.requireNonNull;

import java.util.List;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;

/**
 * One complete response from the upstream, copied off the network buffers: the body exactly as
 * received (still gzip-encoded when it was sent so; the signature's digest covers those bytes).
 *
 * @param status   the HTTP status
 * @param headers  the header fields in order, names lower case
 * @param body     the content as received
 * @param upstream the upstream that answered, as messages name it ({@code host:port}, as in the
 *                 requests' {@code Host}): where several upstreams stand behind one, the answer
 *                 says which one it came from
 */
public record UpstreamResponse(int status, List<HeaderField> headers, Bytes body, String upstream) {
    public UpstreamResponse {
        headers = List.copyOf(headers);
        requireNonNull(body, "body");
        requireNonNull(upstream, "upstream");
    }

    /** A response from an upstream with no name of its own (a stand-in for one in tests): {@code upstream}. */
    public UpstreamResponse(int status, List<HeaderField> headers, Bytes body) {
        this(status, headers, body, "upstream");
    }

    /** The field's values joined with {@code ", "} (RFC 9110 §5.3), or null when absent. */
    public String header(String name) {
        String joined = null;
        for (HeaderField h : headers) {
            if (h.name().equals(name)) {
                joined = joined == null ? h.value() : joined + ", " + h.value();
            }
        }
        return joined;
    }
}

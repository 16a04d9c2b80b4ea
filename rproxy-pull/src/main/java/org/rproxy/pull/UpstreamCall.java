package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.model.Bytes;

/**
 * What the proxy forwards upstream besides the key: the client's {@code Accept} and, for a POST,
 * the body as the client sent it. Kept with the entry so that background refreshes ask the same
 * question; a POST's without its body ({@link #withoutBody}), which the store's bound does not
 * weigh: its answer is asked for again only with the body of a request for it.
 *
 * @param accept      the client's Accept, or null
 * @param contentType a POST's Content-Type, else null
 * @param body        a POST's body, else empty
 */
record UpstreamCall(String accept, String contentType, Bytes body) {
    static final UpstreamCall PLAIN_GET = new UpstreamCall(null, null, Bytes.empty());

    UpstreamCall {
        requireNonNull(body, "body");
    }

    /** This call as an entry keeps it: without a body. */
    UpstreamCall withoutBody() {
        return body.length() == 0 ? this : new UpstreamCall(accept, contentType, Bytes.empty());
    }
}

package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.UpstreamRequest;

/**
 * What the proxy forwards upstream besides the key: for a POST, its Content-Type and its body in
 * the form its key was made of ({@link QueryDigest#form}). Nothing else a client sends goes
 * upstream, its {@code Accept} included: the answer is shared by every request for the key (the
 * requests that wait for the attempt, those the entry and the memories of failures and 404s
 * answer after it), so the question must be the key's, not the first requester's, or one client
 * with an odd header could make the upstream refuse the key for everyone. Kept with the entry so
 * that background refreshes ask the same question; a POST's without its body ({@link
 * #withoutBody}), which the store's bound does not weigh: its answer is asked for again only with
 * the body of a request for it.
 *
 * @param contentType a POST's Content-Type, else null
 * @param body        a POST's body as keyed, else empty
 * @param pastCaches  whether the HTTP caches in between are asked for the upstream's current copy
 *                    rather than theirs ({@link FitChase}); never kept with an entry
 */
record UpstreamCall(String contentType, Bytes body, boolean pastCaches) {
    static final UpstreamCall PLAIN_GET = new UpstreamCall(null, Bytes.empty());
    static final UpstreamCall GET_PAST_CACHES = new UpstreamCall(null, Bytes.empty(), true);

    UpstreamCall {
        requireNonNull(body, "body");
    }

    UpstreamCall(String contentType, Bytes body) {
        this(contentType, body, false);
    }

    /** This call as an entry keeps it: without a body, and not past the caches. */
    UpstreamCall withoutBody() {
        return body.length() == 0 && !pastCaches ? this : new UpstreamCall(contentType, Bytes.empty());
    }

    /**
     * The request for {@code key} asking for the gzip variant or identity ({@code gzip}), with
     * {@code If-None-Match} when {@code ifNoneMatch} is not null, naming this proxy ({@code userAgent},
     * {@code via}).
     */
    UpstreamRequest request(CacheKey key, boolean gzip, String ifNoneMatch, String userAgent, String via) {
        List<HeaderField> h = new ArrayList<>(8);
        h.add(new HeaderField("accept-encoding", gzip ? "gzip" : "identity"));
        if (ifNoneMatch != null) {
            h.add(new HeaderField("if-none-match", ifNoneMatch));
        }
        if (contentType != null) {
            h.add(new HeaderField("content-type", contentType));
        }
        if (pastCaches) {
            h.add(new HeaderField("cache-control", "no-cache")); // RFC 9111 §5.2.1.4, for caches that honour it
            h.add(new HeaderField(FitChase.HEADER, "1")); // for the shipped nginx and Varnish configurations
        }
        h.add(new HeaderField("user-agent", userAgent));
        h.add(new HeaderField("via", via));
        return new UpstreamRequest(key.method(), key.target(), h, key.isGet() ? Bytes.empty() : body);
    }
}

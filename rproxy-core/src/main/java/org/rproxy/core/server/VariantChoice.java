package org.rproxy.core.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Whether a request gets the gzip variant: when its {@code Accept-Encoding} allows it
 * ({@link AcceptEncoding}), unless the request comes from a Varnish cache fetching for itself.
 *
 * <p>Varnish (with its default {@code http_gzip_support=on}) asks every backend for gzip whatever
 * its client asked, stores the gzip variant, and gunzips it for clients that did not ask for
 * gzip, ignoring {@code Cache-Control: no-transform}. Those clients then get bytes whose
 * {@code content-digest} (over the gzip bytes) does not match, and fail verification. Varnish
 * marks every backend request with {@code X-Varnish} before any VCL can run, so such a request is
 * answered with the identity variant: Varnish stores it and has nothing to gunzip, and its gzip
 * clients get identity bytes, which verify. A VCL that sends each client's own
 * {@code Accept-Encoding} (with {@code http_gzip_support=off}) unsets {@code X-Varnish} to get
 * gzip variants back (see conf/varnish). Stateless.
 */
final class VariantChoice {
    private static final String X_VARNISH = "x-varnish";

    private VariantChoice() {
    }

    static boolean gzip(HttpHeaders request) {
        return !fromVarnish(request) && AcceptEncoding.acceptsGzip(request.get(HttpHeaderNames.ACCEPT_ENCODING));
    }

    /**
     * True when {@code request} is a Varnish's backend fetch: it gets identity, and its
     * {@code Vary} names only {@code Accept-Encoding}. Every other response names
     * {@code X-Varnish} too, so a cache that follows {@code Vary} (nginx's plain
     * {@code proxy_cache}, say) does not hand the gzip variant it holds to such a Varnish in front
     * of it. A Varnish answer does not name it: Varnish keys an object on the {@code X-Varnish} of
     * its own backend request, a new number each time, and would miss every time; identity suits
     * every client, so a cache handing it on to a gzip client does no harm.
     */
    static boolean fromVarnish(HttpHeaders request) {
        return request.contains(X_VARNISH);
    }
}

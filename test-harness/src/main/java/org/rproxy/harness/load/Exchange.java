package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;

/**
 * One HTTP request a viewer makes and what to do with the answer. The callback runs on the
 * connection's event loop; the response is released after it returns, so the callback copies
 * whatever it keeps.
 */
final class Exchange {
    /** What happens when the exchange ends. Called exactly once, on the connection's event loop. */
    interface Callback {
        void onResponse(FullHttpResponse response);

        /** @param kind a short, stable description for the errors table ({@code timeout}, {@code connect refused}) */
        void onFailure(String kind);
    }

    final HttpMethod method;
    final String target;
    final String[] headers;
    final byte[] body;
    final Callback callback;
    long writtenNanos;
    /** Sent again after its connection failed under it (once at most). */
    boolean sentAgain;

    /**
     * @param headers name, value, name, value... (never Host or Content-Length: the connection sets them)
     * @param body    request content, or null for none
     */
    Exchange(HttpMethod method, String target, String[] headers, byte[] body, Callback callback) {
        this.method = requireNonNull(method, "method");
        this.target = requireNonNull(target, "target");
        this.headers = requireNonNull(headers, "headers");
        this.body = body;
        this.callback = requireNonNull(callback, "callback");
    }

    /**
     * A GET of {@code target} for {@code accept}: for gzip too when {@code gzip}, conditional when
     * {@code ifNoneMatch} is given.
     */
    static Exchange get(String target, String accept, boolean gzip, String ifNoneMatch, Callback callback) {
        List<String> h = new ArrayList<>(6);
        h.add("accept");
        h.add(accept);
        if (gzip) {
            h.add("accept-encoding");
            h.add("gzip");
        }
        if (ifNoneMatch != null) {
            h.add("if-none-match");
            h.add(ifNoneMatch);
        }
        return new Exchange(HttpMethod.GET, target, h.toArray(String[]::new), null, callback);
    }

    /** A POST of {@code body} (as UTF-8) to {@code target}, as {@code contentType}, for {@code accept}. */
    static Exchange post(String target, String contentType, String accept, String body, Callback callback) {
        return new Exchange(HttpMethod.POST, target, new String[] {"content-type", contentType, "accept", accept},
                body.getBytes(StandardCharsets.UTF_8), callback);
    }
}

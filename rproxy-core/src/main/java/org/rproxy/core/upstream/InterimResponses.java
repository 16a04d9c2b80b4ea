package org.rproxy.core.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The one rule for interim (1xx) responses that every HTTP client of rproxy follows (the upstream
 * client's {@link UpstreamHandler}, the push feed's update-stream connection): RFC 9110 §15.2 asks
 * a client to skip a 1xx it did not expect (100 Continue, 102 Processing, 103 Early Hints, any
 * other) and wait for the final response on the same connection; the interim response's fields are
 * not the answer's. 101 Switching Protocols is different: after it the connection speaks another
 * protocol, so unless the client asked for that upgrade it is an error that ends the exchange and
 * the connection, never something to skip.
 */
public final class InterimResponses {

    /** What a client does with a response it reads before the final one. */
    public enum Kind {
        /** Not interim (2xx to 5xx): the answer. */
        FINAL,
        /** An interim response to skip: the final response follows on the same connection. */
        SKIP,
        /** 101 Switching Protocols when the client asked to upgrade: the answer to that request. */
        SWITCHED,
        /** 101 Switching Protocols that nobody asked for: an error; the connection must close. */
        UNASKED_SWITCH
    }

    private InterimResponses() {
    }

    /**
     * What to do with a response of status {@code status}.
     *
     * @param upgradeAsked whether the request asked to switch protocols ({@code Upgrade}); no
     *                     client of rproxy does today
     */
    public static Kind of(HttpResponseStatus status, boolean upgradeAsked) {
        int code = status.code();
        if (code < 100 || code > 199) {
            return Kind.FINAL;
        }
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            return upgradeAsked ? Kind.SWITCHED : Kind.UNASKED_SWITCH;
        }
        return Kind.SKIP;
    }

    /** Why an {@link Kind#UNASKED_SWITCH} response fails the exchange, naming the protocol it offered. */
    public static String unaskedSwitch(HttpResponse response) {
        return "upstream answered " + response.status() + " (upgrade to '"
                + response.headers().get(HttpHeaderNames.UPGRADE, "") + "') though no upgrade was asked for";
    }
}

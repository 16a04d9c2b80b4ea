package org.rproxy.core.codec.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

/**
 * The error body of RFC 7285 §8.5.2 ({@code application/alto-error+json}), as every node
 * serves it: {@code {"meta":{"code":..,"field":..,"value":..,"syntax-error":..,"message":..}}},
 * members in that order, absent ones left out. An {@code E_SYNTAX} error's reason (with the
 * position, where there is one) is its {@code syntax-error} as well as its message: §8.5.2 names
 * that member as the one a client shows developers, and {@code message} is this project's.
 * Built as text, without a tree, so that writing an error can never fail whatever the client
 * sent (values are escaped). Stateless; any thread.
 */
final class ErrorJson {

    private ErrorJson() {
    }

    static String text(AltoError error) {
        StringBuilder b = new StringBuilder(128).append("{\"meta\":{");
        // a server condition has no code: the front end serves it as text, never through here
        member(b, "code", error.code() == null ? null : error.code().name());
        member(b, "field", error.field());
        member(b, "value", error.value());
        member(b, "syntax-error", error.code() == AltoErrorCode.E_SYNTAX ? error.message() : null);
        member(b, "message", error.message());
        return b.append("}}").toString();
    }

    private static void member(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        if (b.charAt(b.length() - 1) != '{') {
            b.append(',');
        }
        b.append('"').append(name).append("\":\"");
        JsonStringEncoder.getInstance().quoteAsString(value, b);
        b.append('"');
    }
}

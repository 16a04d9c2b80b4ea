package org.rproxy.core.codec.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import org.rproxy.core.model.AltoError;

/**
 * The error body of RFC 7285 §8.5.2 ({@code application/alto-error+json}), as every node
 * serves it: {@code {"meta":{"code":..,"field":..,"value":..,"message":..}}}, members in that
 * order, absent ones left out. Built as text, without a tree, so that writing an error can
 * never fail whatever the client sent (values are escaped). Stateless; any thread.
 */
final class ErrorJson {

    private ErrorJson() {
    }

    static String text(AltoError error) {
        StringBuilder b = new StringBuilder(128).append("{\"meta\":{");
        member(b, "code", error.code().name(), false);
        member(b, "field", error.field(), true);
        member(b, "value", error.value(), true);
        member(b, "message", error.message(), true);
        return b.append("}}").toString();
    }

    private static void member(StringBuilder b, String name, String value, boolean comma) {
        if (value == null) {
            return;
        }
        if (comma) {
            b.append(',');
        }
        b.append('"').append(name).append("\":\"");
        JsonStringEncoder.getInstance().quoteAsString(value, b);
        b.append('"');
    }
}

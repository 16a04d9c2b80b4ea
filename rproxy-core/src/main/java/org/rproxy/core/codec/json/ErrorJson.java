package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonValues.NODES;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

/**
 * The error body of RFC 7285 §8.5.2 ({@code application/alto-error+json}):
 * {@code {"meta":{"code":"E_INVALID_FIELD_VALUE","field":"pids[2]","value":"P 1","message":".."}}}.
 * Absent members are omitted; an {@code E_SYNTAX} error also carries its reason as
 * {@code syntax-error}. Stateless; any thread.
 */
final class ErrorJson {

    private ErrorJson() {
    }

    static ObjectNode write(AltoError error) {
        ObjectNode root = NODES.objectNode();
        ObjectNode meta = root.putObject("meta");
        meta.put("code", error.code().name());
        if (error.field() != null) {
            meta.put("field", error.field());
        }
        if (error.value() != null) {
            meta.put("value", error.value());
        }
        if (error.code() == AltoErrorCode.E_SYNTAX) {
            meta.put("syntax-error", error.message());
        }
        meta.put("message", error.message());
        return root;
    }
}

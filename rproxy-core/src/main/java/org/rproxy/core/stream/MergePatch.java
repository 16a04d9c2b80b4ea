package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON Merge Patch (RFC 7396): {@link #apply} is the algorithm of §2; {@link #diff} makes a patch
 * that turns one document into another. A merge patch cannot set a member to {@code null} (null
 * means "remove") nor change part of an array, so {@link #diff} replaces arrays whole and returns
 * null when the target holds a null that the patch would have to write; the caller then sends
 * the full document. Stateless; inputs are never modified.
 */
public final class MergePatch {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MergePatch() {
    }

    /** RFC 7396 §2: the result of applying {@code patch} to {@code target} (a new tree). */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        requireNonNull(patch, "patch");
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : NODES.objectNode();
        for (Map.Entry<String, JsonNode> m : patch.properties()) {
            if (m.getValue().isNull()) {
                result.remove(m.getKey());
            } else {
                result.set(m.getKey(), apply(result.get(m.getKey()), m.getValue()));
            }
        }
        return result;
    }

    /**
     * A patch {@code p} with {@code apply(from, p)} equal to {@code to}, or null when no merge
     * patch can say it (a null inside {@code to} that would have to be written).
     */
    public static JsonNode diff(JsonNode from, JsonNode to) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (!to.isObject()) {
            return containsNull(to) ? null : to.deepCopy();
        }
        if (!from.isObject()) {
            // A patch object is merged into an empty object: only members without nulls survive it.
            return containsNull(to) ? null : to.deepCopy();
        }
        ObjectNode patch = NODES.objectNode();
        for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!to.has(name)) {
                patch.putNull(name);
            }
        }
        for (Map.Entry<String, JsonNode> m : to.properties()) {
            JsonNode old = from.get(m.getKey());
            JsonNode now = m.getValue();
            if (old != null && old.equals(now)) {
                continue;
            }
            if (now.isNull()) {
                return null;
            }
            JsonNode sub = now.isObject() && old != null && old.isObject() ? diff(old, now)
                    : containsNull(now) ? null : now.deepCopy();
            if (sub == null) {
                return null;
            }
            patch.set(m.getKey(), sub);
        }
        return patch;
    }

    private static boolean containsNull(JsonNode n) {
        if (n.isNull()) {
            return true;
        }
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> m : n.properties()) {
                if (containsNull(m.getValue())) {
                    return true;
                }
            }
        }
        // Arrays are replaced whole by apply, nulls inside them survive.
        return false;
    }
}

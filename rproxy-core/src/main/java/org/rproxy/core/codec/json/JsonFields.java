package org.rproxy.core.codec.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;

/**
 * Typed access to the members of a parsed JSON document, failing with the RFC 7285 §8.5.2 error
 * that names the member at fault: absent → {@code E_MISSING_FIELD}, wrong JSON type →
 * {@code E_INVALID_FIELD_TYPE}. The field is the full path, members joined by {@code /} as in
 * §8.5.2's own example ({@code cost-type/cost-metric}); the root is the empty path.
 *
 * <p>Two readers, two rules for an array's elements. A <b>request</b> (a filtered map, endpoint
 * cost or property query, an update stream's control request) follows §8.5.2 to the letter: an
 * element of the wrong type, or with a bad value, is an {@code E_INVALID_FIELD_VALUE} whose
 * {@code field} is the array ({@code pids/srcs}) and whose {@code value} is the element as text
 * ({@link #requestElement}). A <b>document</b> read from the maps folder or from an upstream is
 * not answered to a client but reported to an operator, who needs the line: its errors name the
 * element with its index, {@code network-map/PID1/ipv4[2]} ({@link #element}, {@link #index}).
 *
 * <p>Paths are passed as a parent path plus a member name and only concatenated when an error is
 * thrown, so that reading a cost map of millions of entries builds no strings. A member whose
 * value is JSON {@code null} counts as absent when optional and as the wrong type when required.
 * Stateless; any thread.
 */
public final class JsonFields {

    private JsonFields() {
    }

    /** {@code parent/name}, or {@code name} at the root. */
    public static String path(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    /** {@code parent[index]}: an element of a document (never of a request, see the class). */
    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** {@code node} itself when it is an object. */
    public static ObjectNode asObject(JsonNode node, String path) {
        if (node instanceof ObjectNode o) {
            return o;
        }
        throw wrongType(path, "an object");
    }

    /** The member {@code name} of {@code parent}, which must be present and an object. */
    public static ObjectNode object(ObjectNode parent, String parentPath, String name) {
        return typed(required(parent, parentPath, name), ObjectNode.class, parentPath, name, "an object");
    }

    /** The member {@code name} as an object, or null when absent. */
    public static ObjectNode optionalObject(ObjectNode parent, String parentPath, String name) {
        JsonNode v = optional(parent, name);
        return v == null ? null : typed(v, ObjectNode.class, parentPath, name, "an object");
    }

    /** The member {@code name}, which must be present and an array. */
    public static ArrayNode array(ObjectNode parent, String parentPath, String name) {
        return typed(required(parent, parentPath, name), ArrayNode.class, parentPath, name, "an array");
    }

    /** The member {@code name} as an array, or null when absent. */
    public static ArrayNode optionalArray(ObjectNode parent, String parentPath, String name) {
        JsonNode v = optional(parent, name);
        return v == null ? null : typed(v, ArrayNode.class, parentPath, name, "an array");
    }

    /** The member {@code name}, which must be present and a string. */
    public static String string(ObjectNode parent, String parentPath, String name) {
        return text(required(parent, parentPath, name), parentPath, name);
    }

    /** The member {@code name} as a string, or null when absent. */
    public static String optionalString(ObjectNode parent, String parentPath, String name) {
        JsonNode v = optional(parent, name);
        return v == null ? null : text(v, parentPath, name);
    }

    /** The member {@code name} as a boolean, or null when absent. */
    public static Boolean optionalBoolean(ObjectNode parent, String parentPath, String name) {
        JsonNode v = optional(parent, name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(path(parentPath, name), "a boolean");
        }
        return v.booleanValue();
    }

    /**
     * Element {@code i} of a document's array, which must be a string; {@code arrayPath} names the
     * array, and an error names the element ({@code arrayPath[i]}).
     */
    public static String element(ArrayNode array, int i, String arrayPath) {
        JsonNode v = array.get(i);
        if (!v.isTextual()) {
            throw wrongType(index(arrayPath, i), "a string");
        }
        return v.textValue();
    }

    /**
     * Element {@code i} of a request's array of strings. One of another type is, as RFC 7285
     * §8.5.2 says, "an invalid value error, not an invalid type error": {@code E_INVALID_FIELD_VALUE}
     * with {@code field} the array ({@code arrayPath}) and {@code value} the element as JSON text
     * ({@code 2}, {@code null}, {@code {"a":1}}). A reader that refuses the string's value names
     * the array too, with the string as the value.
     */
    public static String requestElement(ArrayNode array, int i, String arrayPath) {
        JsonNode v = array.get(i);
        if (!v.isTextual()) {
            throw invalid(arrayPath, v.toString(), "expected an array of strings");
        }
        return v.textValue();
    }

    /** An {@code E_INVALID_FIELD_TYPE} naming {@code path}, or the document itself at the root. */
    public static AltoException wrongType(String path, String expected) {
        if (path.isEmpty()) {
            return new AltoException(AltoError.of(AltoErrorCode.E_INVALID_FIELD_TYPE, null, null,
                    "the document must be " + expected));
        }
        return new AltoException(AltoError.invalidType(path, expected));
    }

    /** An {@code E_INVALID_FIELD_VALUE} naming {@code path}. */
    public static AltoException invalid(String path, String value, String reason) {
        return new AltoException(AltoError.invalidValue(path, value, reason));
    }

    private static JsonNode required(ObjectNode parent, String parentPath, String name) {
        JsonNode v = parent.get(name);
        if (v == null) {
            throw new AltoException(AltoError.missingField(path(parentPath, name)));
        }
        return v;
    }

    private static JsonNode optional(ObjectNode parent, String name) {
        JsonNode v = parent.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /**
     * Member {@code name}'s value {@code v} as a {@code type}, or the {@code E_INVALID_FIELD_TYPE}
     * naming it: one check for objects and arrays, required or optional.
     */
    private static <T extends JsonNode> T typed(JsonNode v, Class<T> type, String parentPath, String name,
                                                String expected) {
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        throw wrongType(path(parentPath, name), expected);
    }

    private static String text(JsonNode v, String parentPath, String name) {
        if (!v.isTextual()) {
            throw wrongType(path(parentPath, name), "a string");
        }
        return v.textValue();
    }
}

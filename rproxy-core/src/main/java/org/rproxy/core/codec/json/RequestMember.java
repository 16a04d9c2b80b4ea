package org.rproxy.core.codec.json;

import java.util.List;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * A member of a query request body as {@link RequestJson} kept it, with the accessors of
 * {@link JsonFields} and their errors, word for word: absent → {@code E_MISSING_FIELD}, wrong
 * JSON type → {@code E_INVALID_FIELD_TYPE}, JSON {@code null} absent when optional and the wrong
 * type when required, an array element that is not a string an {@code E_INVALID_FIELD_VALUE} on
 * the array with the element as JSON text ({@link #requestElement}). Paths are passed as a parent
 * path plus a member name, as there. Immutable.
 */
public final class RequestMember {
    private enum Kind { NULL, OBJECT, ARRAY, STRING, OTHER }

    static final RequestMember NULL = new RequestMember(Kind.NULL, null, null, null, null, null, 0);
    /** A number, a boolean. */
    static final RequestMember OTHER = new RequestMember(Kind.OTHER, null, null, null, null, null, 0);

    private final Kind kind;
    private final String text;
    /** An object's: the members kept, and the values of those present (null: absent). */
    private final RequestJson.Shape shape;
    private final RequestMember[] members;
    private final List<String> strings;
    private final String other;
    private final int size;

    private RequestMember(Kind kind, String text, RequestJson.Shape shape, RequestMember[] members,
                          List<String> strings, String other, int size) {
        this.kind = kind;
        this.text = text;
        this.shape = shape;
        this.members = members;
        this.strings = strings;
        this.other = other;
        this.size = size;
    }

    static RequestMember string(String text) {
        return new RequestMember(Kind.STRING, text, null, null, null, null, 0);
    }

    /** An object, with the values of the members {@code shape} keeps ({@code kept}, null where absent). */
    static RequestMember object(RequestJson.Shape shape, RequestMember[] kept) {
        return new RequestMember(Kind.OBJECT, null, shape, kept, null, null, 0);
    }

    /**
     * An array of {@code size} elements: {@code strings} up to the first that is not a string,
     * which is {@code other} as JSON text (null when every element is a string).
     */
    static RequestMember array(List<String> strings, String other, int size) {
        return new RequestMember(Kind.ARRAY, null, null, null, strings, other, size);
    }

    /** This member itself when it is an object ({@link JsonFields#asObject}). */
    public RequestMember asObject(String path) {
        if (kind == Kind.OBJECT) {
            return this;
        }
        throw JsonFields.wrongType(path, "an object");
    }

    /** The member {@code name}, which must be present and an object. */
    public RequestMember object(String parentPath, String name) {
        return required(parentPath, name).asObject(JsonFields.path(parentPath, name));
    }

    /** The member {@code name} as an object, or null when absent. */
    public RequestMember optionalObject(String parentPath, String name) {
        RequestMember v = optional(name);
        return v == null ? null : v.asObject(JsonFields.path(parentPath, name));
    }

    /** The member {@code name}, which must be present and an array. */
    public RequestMember array(String parentPath, String name) {
        return required(parentPath, name).asArray(parentPath, name);
    }

    /** The member {@code name} as an array, or null when absent. */
    public RequestMember optionalArray(String parentPath, String name) {
        RequestMember v = optional(name);
        return v == null ? null : v.asArray(parentPath, name);
    }

    /** The member {@code name}, which must be present and a string. */
    public String string(String parentPath, String name) {
        return required(parentPath, name).text(parentPath, name);
    }

    /** The member {@code name} as a string, or null when absent. */
    public String optionalString(String parentPath, String name) {
        RequestMember v = optional(name);
        return v == null ? null : v.text(parentPath, name);
    }

    /** The number of elements of this array. */
    public int size() {
        return size;
    }

    /** Element {@code i} of this array of strings, as {@link JsonFields#requestElement} reads it. */
    public String requestElement(int i, String arrayPath) {
        if (i < strings.size()) {
            return strings.get(i);
        }
        throw JsonFields.invalid(arrayPath, other, "expected an array of strings");
    }

    private RequestMember asArray(String parentPath, String name) {
        if (kind == Kind.ARRAY) {
            return this;
        }
        throw JsonFields.wrongType(JsonFields.path(parentPath, name), "an array");
    }

    private String text(String parentPath, String name) {
        if (kind == Kind.STRING) {
            return text;
        }
        throw JsonFields.wrongType(JsonFields.path(parentPath, name), "a string");
    }

    private RequestMember required(String parentPath, String name) {
        RequestMember v = member(name);
        if (v == null) {
            throw new AltoException(AltoError.missingField(JsonFields.path(parentPath, name)));
        }
        return v;
    }

    private RequestMember optional(String name) {
        RequestMember v = member(name);
        return v == null || v.kind == Kind.NULL ? null : v;
    }

    /** The member {@code name}, null when absent (a member not kept is absent: keep what is read). */
    private RequestMember member(String name) {
        int i = shape.indexOf(name);
        return i < 0 ? null : members[i];
    }
}

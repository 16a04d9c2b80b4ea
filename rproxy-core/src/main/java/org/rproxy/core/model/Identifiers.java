package org.rproxy.core.model;

/**
 * Checks of the identifier grammars of RFC 7285 §10: PID names (§10.1), resource ids (§10.2),
 * version tags (§10.3) and cost metrics (§10.6). Each check throws {@link AltoException} with
 * {@code E_INVALID_FIELD_VALUE} naming the field, so a caller only passes the field's name.
 */
public final class Identifiers {
    private static final int MAX_ID = 64;

    private Identifiers() {
    }

    /** RFC 7285 §10.1: 1-64 characters of {@code [A-Za-z0-9-:@_.]}. */
    public static String pid(String name, String field) {
        return id(name, field, "PID name");
    }

    /** RFC 7285 §10.2: the same alphabet as PID names. */
    public static String resourceId(String name, String field) {
        return id(name, field, "resource id");
    }

    /** RFC 7285 §10.6: a cost metric is 1-32 characters of the same alphabet (or "priv:" names). */
    public static String costMetric(String name, String field) {
        if (name == null || name.isEmpty() || name.length() > 32) {
            throw new AltoException(AltoError.invalidValue(field, name, "cost metric must be 1-32 characters"));
        }
        return id(name, field, "cost metric");
    }

    /** RFC 7285 §10.3: 1-64 characters from U+0021 to U+007E. */
    public static String tag(String tag, String field) {
        if (tag == null || tag.isEmpty() || tag.length() > MAX_ID) {
            throw new AltoException(AltoError.invalidValue(field, tag, "tag must be 1-64 characters"));
        }
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new AltoException(AltoError.invalidValue(field, tag,
                        "tag may only hold characters U+0021-U+007E"));
            }
        }
        return tag;
    }

    /** True when {@code s} is a valid PID name / resource id. */
    public static boolean isId(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!idChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String id(String name, String field, String what) {
        if (!isId(name)) {
            throw new AltoException(AltoError.invalidValue(field, name,
                    what + " must be 1-64 characters of [A-Za-z0-9-:@_.]"));
        }
        return name;
    }

    private static boolean idChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == ':' || c == '@' || c == '_' || c == '.';
    }
}

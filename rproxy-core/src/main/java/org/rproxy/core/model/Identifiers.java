package org.rproxy.core.model;

/**
 * Checks of the identifier grammars of RFC 7285 §10: PID names (§10.1), resource ids (§10.2),
 * version tags (§10.3), cost metrics (§10.6) and global endpoint property names (§10.8.2). Each
 * check throws {@link AltoException} with {@code E_INVALID_FIELD_VALUE} naming the field, so a
 * caller only passes the field's name. What the origin publishes passes these, so a client
 * that holds the RFC's grammars to a directory never meets a name it must refuse.
 */
public final class Identifiers {
    private static final int MAX_ID = 64;
    private static final int MAX_NAME = 32;
    private static final String PRIVATE = "priv:";

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

    /**
     * RFC 7285 §10.6: a cost metric is 1-32 characters of {@code [A-Za-z0-9-:_.]}: the PID
     * alphabet without {@code @}; a {@code priv:} name has more after the prefix.
     */
    public static String costMetric(String name, String field) {
        return name(name, field, "cost metric", "[A-Za-z0-9-:_.]", true);
    }

    /**
     * RFC 7285 §10.8.2: a global endpoint property name is 1-32 characters of
     * {@code [A-Za-z0-9-:_]}, without the {@code .} that would make it read as resource-specific
     * ({@code <resource id>.pid}, §10.8.1); a {@code priv:} name has more after the prefix.
     */
    public static String endpointProperty(String name, String field) {
        return name(name, field, "endpoint property name", "[A-Za-z0-9-:_]", false);
    }

    private static String name(String name, String field, String what, String alphabet, boolean dot) {
        boolean ok = name != null && !name.isEmpty() && name.length() <= MAX_NAME && !name.equals(PRIVATE);
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c != '@' && (dot || c != '.') && idChar(c);
        }
        if (!ok) {
            throw new AltoException(AltoError.invalidValue(field, name, what + " must be 1-32 characters of "
                    + alphabet + ", and a private one more than \"" + PRIVATE + "\""));
        }
        return name;
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

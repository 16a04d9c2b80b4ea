package org.rproxy.core.bundle;

/**
 * The RFC 9110 §5 syntax of a field line, shared by the bundle's constructor (for fields taken
 * from a response) and its parser (for fields read from a file). Stateless.
 */
final class FieldSyntax {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private FieldSyntax() {
    }

    /** A field name is a non-empty token (RFC 9110 §5.1). */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            if (!alnum && TCHAR_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The reason a field value is not one (RFC 9110 §5.5: visible characters, spaces and tabs
     * inside, none at either end), or null when it is. obs-text is refused: what the origin signs
     * is ASCII, and a bundle is read byte for byte.
     */
    static String valueProblem(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                return String.format("character 0x%02x at %d (expected: visible ASCII, space or tab)", (int) c, i);
            }
        }
        if (!v.isEmpty() && (isWhitespace(v.charAt(0)) || isWhitespace(v.charAt(v.length() - 1)))) {
            return "leading or trailing whitespace";
        }
        return null;
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }
}

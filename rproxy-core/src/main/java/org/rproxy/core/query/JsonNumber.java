package org.rproxy.core.query;

/**
 * The JSON number grammar of RFC 8259 §6, checked by hand because {@link Double#parseDouble}
 * accepts far more ({@code NaN}, {@code 0x1p3}, {@code 1d}, leading {@code +}). Stateless.
 */
final class JsonNumber {
    private static final double MAX_EXACT = 9007199254740992.0;

    private JsonNumber() {
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?} */
    static boolean isValid(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        if (i >= n) {
            return false;
        }
        if (s.charAt(i) == '0') {
            i++;
        } else {
            int start = i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        return i == n;
    }

    private static int digits(String s, int i) {
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /** Integral values up to 2^53 without a fraction ({@code 10}), others as Java prints doubles. */
    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) <= MAX_EXACT) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}

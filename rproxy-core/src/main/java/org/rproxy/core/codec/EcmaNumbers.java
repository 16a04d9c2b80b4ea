package org.rproxy.core.codec;

/**
 * ECMAScript {@code Number.prototype.toString} for finite doubles (ECMA-262 §6.1.6.1.20), which
 * RFC 8785 §3.2.2.3 prescribes for JSON numbers: the shortest round-tripping digits
 * ({@link ShortestDecimal}), laid out in plain or exponent notation by ECMAScript's rules.
 * Integers below 2^53, the common case in cost maps, skip the digit search. Stateless; any thread.
 */
final class EcmaNumbers {
    private static final double TWO_POW_53 = 9007199254740992d;

    private EcmaNumbers() {
    }

    static String format(double v) {
        return format(v, false);
    }

    /** As {@link #format} but always by the exact search: the reference the fast paths are tested against. */
    static String formatExact(double v) {
        return format(v, true);
    }

    private static String format(double v, boolean exactOnly) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("number: " + v + " (expected: finite, RFC 8785 §3.2.2.3)");
        }
        if (v == 0) {
            return "0"; // also -0
        }
        StringBuilder sb = new StringBuilder(24);
        if (v < 0) {
            sb.append('-');
            v = -v;
        }
        if (!exactOnly && v < TWO_POW_53 && v == Math.rint(v)) {
            return sb.append((long) v).toString();
        }
        ShortestDecimal d = exactOnly ? ShortestDecimal.exact(v) : ShortestDecimal.of(v);
        layout(sb, d.digits(), d.exponent());
        return sb.toString();
    }

    /** ECMA-262 Number::toString steps for k digits and exponent n. */
    private static void layout(StringBuilder sb, String digits, int n) {
        int k = digits.length();
        if (k <= n && n <= 21) {
            sb.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            sb.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            sb.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            sb.append(digits.charAt(0));
            if (k > 1) {
                sb.append('.').append(digits, 1, k);
            }
            sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
    }
}

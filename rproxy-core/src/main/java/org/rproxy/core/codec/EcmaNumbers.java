package org.rproxy.core.codec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * ECMAScript {@code Number.prototype.toString} for finite doubles (ECMA-262 §7.1.12.1 / §6.1.6.1.20),
 * which RFC 8785 §3.2.2.3 prescribes for JSON numbers. The shortest digit string that reads back
 * as the same double is found first; ECMAScript's layout rules then decide between plain and
 * exponent notation.
 *
 * <p>JDK 17's {@link Double#toString} is not always shortest (fixed only in JDK 19), so it is
 * used only where its answer is provably right: a result of at most 15 significant digits for a
 * normal double is the unique shortest one, because every decimal of at most 15 digits survives
 * a round trip through a double (DBL_DIG). Everything else takes the exact path with
 * {@link BigDecimal}. Stateless; any thread.
 */
final class EcmaNumbers {
    private static final double TWO_POW_53 = 9007199254740992d;

    private EcmaNumbers() {
    }

    static String format(double v) {
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
        if (v < TWO_POW_53 && v == Math.rint(v)) {
            return sb.append((long) v).toString();
        }
        Decimal d = fromJdk(v);
        if (d == null) {
            d = exactShortest(v);
        }
        layout(sb, d.digits, d.exponent);
        return sb.toString();
    }

    /** As {@link #format} but always by the exact path: the reference the fast path is tested against. */
    static String formatExact(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("number: " + v + " (expected: finite, RFC 8785 §3.2.2.3)");
        }
        if (v == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder(24);
        if (v < 0) {
            sb.append('-');
            v = -v;
        }
        Decimal d = exactShortest(v);
        layout(sb, d.digits, d.exponent);
        return sb.toString();
    }

    /** v = 0.digits × 10^exponent, i.e. ECMAScript's s × 10^(n−k) with n = exponent. */
    private record Decimal(String digits, int exponent) {
    }

    /** Digits from {@link Double#toString} when they are certainly the shortest, else null. */
    private static Decimal fromJdk(double v) {
        if (v < Double.MIN_NORMAL) {
            return null;
        }
        String s = Double.toString(v); // "123.45" or "1.2345E-7"; always has a '.'
        int e = s.indexOf('E');
        int exp10 = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
        String mantissa = e < 0 ? s : s.substring(0, e);
        int dot = mantissa.indexOf('.');
        String digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        int pointPos = dot + exp10; // decimal point sits after this many digits of `digits`
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        int end = digits.length();
        while (end > lead + 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        if (end - lead > 15) {
            return null;
        }
        return new Decimal(digits.substring(lead, end), pointPos - lead);
    }

    /**
     * The fewest digits k for which a k-digit decimal reads back as v; among the (at most two)
     * candidates next to v, the nearer, ties to an even last digit (ECMA-262 Note 2).
     * Whether some k-digit decimal round-trips is monotone in k, so k is found by bisection.
     */
    private static Decimal exactShortest(double v) {
        BigDecimal exact = new BigDecimal(v);
        int lo = 1;
        int hi = 17; // 17 significant digits always suffice for binary64
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (roundTrips(exact, mid, RoundingMode.FLOOR, v) || roundTrips(exact, mid, RoundingMode.CEILING, v)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        BigDecimal down = exact.round(new MathContext(lo, RoundingMode.FLOOR));
        BigDecimal up = exact.round(new MathContext(lo, RoundingMode.CEILING));
        boolean downOk = down.doubleValue() == v;
        boolean upOk = up.doubleValue() == v;
        BigDecimal chosen;
        if (downOk && upOk && down.compareTo(up) != 0) {
            int cmp = exact.subtract(down).compareTo(up.subtract(exact));
            if (cmp == 0) {
                chosen = exact.round(new MathContext(lo, RoundingMode.HALF_EVEN));
            } else {
                chosen = cmp < 0 ? down : up;
            }
        } else {
            chosen = downOk ? down : up;
        }
        BigDecimal stripped = chosen.stripTrailingZeros();
        String digits = stripped.unscaledValue().toString();
        return new Decimal(digits, digits.length() - stripped.scale());
    }

    private static boolean roundTrips(BigDecimal exact, int precision, RoundingMode mode, double v) {
        return exact.round(new MathContext(precision, mode)).doubleValue() == v;
    }

    /** ECMA-262 Number::toString steps 6-10, for k digits and exponent n. */
    private static void layout(StringBuilder sb, String digits, int n) {
        int k = digits.length();
        if (k <= n && n <= 21) {
            sb.append(digits);
            sb.append("0".repeat(n - k));
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

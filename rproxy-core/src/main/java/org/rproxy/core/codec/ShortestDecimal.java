package org.rproxy.core.codec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The shortest decimal that reads back as a given positive double, as ECMA-262 §6.1.6.1.20 defines
 * it: the fewest digits k, and among k-digit candidates the one nearest the double, ties to an
 * even last digit. {@code value = 0.digits × 10^exponent} (ECMAScript's n is {@code exponent}).
 *
 * <p>Three ways to find it, cheapest first. (1) JDK 17's {@link Double#toString}, which is not
 * always shortest (fixed in JDK 19), is trusted only when it gives at most 15 significant digits:
 * every decimal of at most 15 digits survives a round trip through a normal double (DBL_DIG), so a
 * 15-digit answer that round-trips is the unique shortest one. (2) Otherwise the first 18 digits
 * of the exact value are taken once and the 15-, 16- and 17-digit candidates are read off them
 * with {@code long} arithmetic. (3) Subnormal and extreme values take the plain exact search with
 * {@link BigDecimal}, which is also the reference the other two are tested against.
 *
 * @param digits   significant digits, no leading or trailing zeros
 * @param exponent the decimal exponent n
 */
record ShortestDecimal(String digits, int exponent) {
    private static final long[] POW10 = {1, 10, 100, 1000};

    static ShortestDecimal of(double v) {
        ShortestDecimal d = fromJdk(v);
        if (d != null) {
            return d;
        }
        return v > 1e-300 && v < 1e300 ? fromLeadingDigits(v) : exact(v);
    }

    /** Digits of {@link Double#toString} when they are certainly the shortest, else null. */
    static ShortestDecimal fromJdk(double v) {
        if (v < Double.MIN_NORMAL) {
            return null;
        }
        String s = Double.toString(v); // "123.45" or "1.2345E-7"; always has a '.'
        int e = s.indexOf('E');
        int exp10 = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
        int end = e < 0 ? s.length() : e;
        int dot = s.indexOf('.');
        StringBuilder digits = new StringBuilder(20).append(s, 0, dot).append(s, dot + 1, end);
        int pointPos = dot + exp10; // the decimal point sits after this many of `digits`
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        int last = digits.length();
        while (last > lead + 1 && digits.charAt(last - 1) == '0') {
            last--;
        }
        if (last - lead > 15) {
            return null;
        }
        return new ShortestDecimal(digits.substring(lead, last), pointPos - lead);
    }

    /**
     * For normal doubles away from the ends of the range: digits18 × 10^e18 is the exact value cut
     * after 18 significant digits ({@code sticky} when anything was cut). Every candidate of at
     * most 17 digits, and how near it is, follows from those digits exactly.
     */
    private static ShortestDecimal fromLeadingDigits(double v) {
        BigDecimal exact = new BigDecimal(v);
        BigDecimal cut = exact.round(new MathContext(18, RoundingMode.DOWN));
        boolean sticky = cut.compareTo(exact) != 0;
        int pad = 18 - cut.precision();
        long digits18 = cut.unscaledValue().longValueExact() * (pad == 0 ? 1 : (long) Math.pow(10, pad));
        int e18 = -cut.scale() - pad;

        // At most 15 digits: the half-even rounding to 15 digits is the only possible candidate.
        long f15 = digits18 / 1000;
        long rem = digits18 % 1000;
        long r15 = rem > 500 || (rem == 500 && (sticky || (f15 & 1) == 1)) ? f15 + 1 : f15;
        if (roundTrips(r15, e18 + 3, v)) {
            return normalized(r15, e18 + 3);
        }
        for (int drop = 2; drop >= 1; drop--) {
            ShortestDecimal d = nearest(digits18, sticky, drop, e18, v);
            if (d != null) {
                return d;
            }
        }
        return exact(v); // unreachable: 17 digits always suffice
    }

    /** The nearer of floor and ceiling after dropping {@code drop} of the 18 digits, if either round-trips. */
    private static ShortestDecimal nearest(long digits18, boolean sticky, int drop, int e18, double v) {
        long unit = POW10[drop];
        long floor = digits18 / unit;
        long below = digits18 - floor * unit; // x - floor, in units of the 18th digit, plus sticky
        long ceil = below != 0 || sticky ? floor + 1 : floor;
        int q = e18 + drop;
        boolean floorOk = roundTrips(floor, q, v);
        boolean ceilOk = ceil != floor && roundTrips(ceil, q, v);
        if (floorOk && ceilOk) {
            long above = unit - below; // ceil - x, minus sticky; unit is even, so no near-ties
            long chosen;
            if (below != above) {
                chosen = below < above ? floor : ceil;
            } else {
                chosen = sticky ? ceil : ((floor & 1) == 0 ? floor : ceil);
            }
            return normalized(chosen, q);
        }
        if (floorOk || ceilOk) {
            return normalized(floorOk ? floor : ceil, q);
        }
        return null;
    }

    private static boolean roundTrips(long significand, int exp10, double v) {
        return Double.parseDouble(significand + "E" + exp10) == v;
    }

    private static ShortestDecimal normalized(long significand, int exp10) {
        String s = Long.toString(significand);
        int n = s.length() + exp10;
        int last = s.length();
        while (last > 1 && s.charAt(last - 1) == '0') {
            last--;
        }
        return new ShortestDecimal(s.substring(0, last), n);
    }

    /**
     * The plain exact search: whether some k-digit decimal round-trips is monotone in k, so k is
     * found by bisection over floor and ceiling of the exact value at k digits.
     */
    static ShortestDecimal exact(double v) {
        BigDecimal exact = new BigDecimal(v);
        int lo = 1;
        int hi = 17; // 17 significant digits always suffice for binary64
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (exactRoundTrips(exact, mid, RoundingMode.FLOOR, v) || exactRoundTrips(exact, mid, RoundingMode.CEILING, v)) {
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
        return new ShortestDecimal(digits, digits.length() - stripped.scale());
    }

    private static boolean exactRoundTrips(BigDecimal exact, int precision, RoundingMode mode, double v) {
        return exact.round(new MathContext(precision, mode)).doubleValue() == v;
    }
}

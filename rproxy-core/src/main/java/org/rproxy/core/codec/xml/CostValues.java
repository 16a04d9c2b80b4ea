package org.rproxy.core.codec.xml;

import java.math.BigDecimal;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMode;

/**
 * Writes and reads the {@code cost} attribute. The seed writes integers ({@code cost="5"}), so
 * integral values are written without a decimal point; other values take the shorter of plain
 * and scientific notation of the shortest digits that read back to the same double. Those digits
 * come from Jackson's Schubfach implementation rather than {@link Double#toString}, which on
 * Java 17 sometimes gives longer ones ({@code 1.9999999999999998E23} for {@code 2e23}), so the
 * bytes do not depend on the JDK. Reading accepts the JSON number grammar (RFC 8259 §6) and nothing else:
 * no {@code NaN}, {@code Infinity}, hex or surrounding spaces, which {@link Double#parseDouble}
 * would take. Stateless.
 */
final class CostValues {
    /** Beyond 2^53 not every integer is a double; stay plain well below that. */
    private static final double PLAIN_INTEGER_LIMIT = 1e15;
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    private static final int MAX_LENGTH = 64;

    private CostValues() {
    }

    static String format(double cost) {
        if (Double.isNaN(cost) || Double.isInfinite(cost)) {
            throw new IllegalArgumentException("cost: " + cost + " (expected: finite)");
        }
        if (cost == Math.rint(cost) && Math.abs(cost) < PLAIN_INTEGER_LIMIT) {
            return Long.toString((long) cost); // also turns -0.0 into 0
        }
        BigDecimal d = new BigDecimal(DoubleToDecimal.toString(cost)).stripTrailingZeros();
        String plain = d.toPlainString();
        String scientific = scientific(d);
        return scientific.length() < plain.length() ? scientific : plain;
    }

    /** {@code 1.5E-7}, {@code -2E20}: one digit before the point, no trailing zeros. */
    private static String scientific(BigDecimal d) {
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        StringBuilder sb = new StringBuilder(digits.length() + 8);
        if (d.signum() < 0) {
            sb.append('-');
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        return sb.append('E').append(exponent).toString();
    }

    /**
     * Parses a cost; in ordinal mode it must also be a rank, a positive integer
     * (RFC 7285 §6.1.2.2).
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} naming {@code field}
     */
    static double parse(String text, CostMode mode, String field) {
        if (text.length() > MAX_LENGTH || !NUMBER.matcher(text).matches()) {
            throw new AltoException(AltoError.invalidValue(field, text, "cost must be a number"));
        }
        double cost = Double.parseDouble(text);
        if (Double.isInfinite(cost)) {
            throw new AltoException(AltoError.invalidValue(field, text, "cost is out of range"));
        }
        if (mode == CostMode.ORDINAL && (cost < 1 || cost != Math.rint(cost))) {
            throw new AltoException(AltoError.invalidValue(field, text,
                    "an ordinal cost must be a positive integer (RFC 7285 §6.1.2.2)"));
        }
        return cost;
    }
}

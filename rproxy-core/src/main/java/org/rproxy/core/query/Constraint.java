package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * One cost constraint of a filtered cost map or endpoint cost request (RFC 7285 §11.3.2.3):
 * an operator and a number separated by whitespace, such as {@code "le 10"}. Several constraints
 * are joined by a logical AND. On an ordinal answer the number is compared with the rank.
 *
 * <p>The number must follow the JSON number grammar (RFC 8259 §6), so {@code NaN},
 * {@code Infinity}, hexadecimal and Java suffixes such as {@code 10d} are refused.
 *
 * @param operator the comparison
 * @param value    the finite number the cost is compared with
 */
public record Constraint(Operator operator, double value) implements Comparable<Constraint> {

    /** The operators of §11.3.2.3. */
    public enum Operator {
        LT("lt"), LE("le"), GT("gt"), GE("ge"), EQ("eq");

        private final String wireName;

        Operator(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Operator of(String s) {
            for (Operator o : values()) {
                if (o.wireName.equals(s)) {
                    return o;
                }
            }
            return null;
        }
    }

    public Constraint {
        requireNonNull(operator, "operator");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value: " + value + " (expected: finite)");
        }
    }

    /**
     * Parses {@code "ge 5"}.
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} naming {@code field}
     */
    public static Constraint parse(String text, String field) {
        String t = text.strip();
        int space = 0;
        while (space < t.length() && !Character.isWhitespace(t.charAt(space))) {
            space++;
        }
        Operator op = Operator.of(t.substring(0, space));
        if (op == null) {
            throw bad(field, text, "operator must be one of lt, le, gt, ge, eq");
        }
        String number = t.substring(space).strip();
        if (!JsonNumber.isValid(number)) {
            throw bad(field, text, "expected an operator and a number, e.g. \"le 10\"");
        }
        double v = Double.parseDouble(number);
        if (!Double.isFinite(v)) {
            throw bad(field, text, "the number is out of range");
        }
        return new Constraint(op, v);
    }

    private static AltoException bad(String field, String text, String reason) {
        return new AltoException(AltoError.invalidValue(field, text, reason));
    }

    /** True when {@code cost} satisfies this constraint. */
    public boolean test(double cost) {
        return switch (operator) {
            case LT -> cost < value;
            case LE -> cost <= value;
            case GT -> cost > value;
            case GE -> cost >= value;
            case EQ -> cost == value;
        };
    }

    /** True when {@code cost} satisfies every one of {@code all} (true for none). */
    static boolean testAll(Iterable<Constraint> all, double cost) {
        for (Constraint c : all) {
            if (!c.test(cost)) {
                return false;
            }
        }
        return true;
    }

    /** The canonical text: {@code "le 10"}, integral values without a fraction. */
    public String toWire() {
        return operator.wireName + " " + JsonNumber.format(value);
    }

    @Override
    public int compareTo(Constraint o) {
        int c = operator.compareTo(o.operator);
        return c != 0 ? c : Double.compare(value, o.value);
    }
}

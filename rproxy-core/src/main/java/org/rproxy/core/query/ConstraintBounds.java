package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.DoublePredicate;

/**
 * The constraints of one request (RFC 7285 §11.3.2.3, joined by AND) collapsed, once per
 * request, into what they say together: a lower bound, an upper bound (each inclusive or not)
 * and at most one value to equal. Testing a cost then takes a few comparisons however many
 * constraints were sent, where testing each constraint in turn costs their number for every
 * cost of the answer.
 *
 * <p>Gives exactly the answer of {@link Constraint#testAll}: {@code gt}/{@code ge} keep the
 * highest bound ({@code gt} over {@code ge} at the same value), {@code lt}/{@code le} the
 * lowest, and two {@code eq} of different values (compared as numbers: {@code eq 0} and
 * {@code eq -0} agree) admit no cost at all. No constraint admits every cost, NaN included;
 * with one, NaN fails, as every comparison with it does. Immutable; any thread.
 */
final class ConstraintBounds implements DoublePredicate {
    private static final ConstraintBounds NONE =
            new ConstraintBounds(true, false, 0, false, false, 0, false, false, 0, false);

    private final boolean all;
    private final boolean hasLower;
    private final double lower;
    private final boolean lowerStrict;
    private final boolean hasUpper;
    private final double upper;
    private final boolean upperStrict;
    private final boolean hasEq;
    private final double eq;
    private final boolean never;

    private ConstraintBounds(boolean all, boolean hasLower, double lower, boolean lowerStrict,
                             boolean hasUpper, double upper, boolean upperStrict, boolean hasEq, double eq,
                             boolean never) {
        this.all = all;
        this.hasLower = hasLower;
        this.lower = lower;
        this.lowerStrict = lowerStrict;
        this.hasUpper = hasUpper;
        this.upper = upper;
        this.upperStrict = upperStrict;
        this.hasEq = hasEq;
        this.eq = eq;
        this.never = never;
    }

    /** The constraints of one request, collapsed; linear in their number, once. */
    static ConstraintBounds of(List<Constraint> constraints) {
        requireNonNull(constraints, "constraints");
        if (constraints.isEmpty()) {
            return NONE;
        }
        boolean hasLower = false;
        boolean lowerStrict = false;
        double lower = 0;
        boolean hasUpper = false;
        boolean upperStrict = false;
        double upper = 0;
        boolean hasEq = false;
        double eq = 0;
        boolean never = false;
        for (Constraint c : constraints) {
            double v = c.value();
            switch (c.operator()) {
                case GT, GE -> {
                    boolean strict = c.operator() == Constraint.Operator.GT;
                    if (!hasLower || v > lower || (v == lower && strict)) {
                        lowerStrict = v == lower && hasLower ? lowerStrict || strict : strict;
                        lower = v;
                        hasLower = true;
                    }
                }
                case LT, LE -> {
                    boolean strict = c.operator() == Constraint.Operator.LT;
                    if (!hasUpper || v < upper || (v == upper && strict)) {
                        upperStrict = v == upper && hasUpper ? upperStrict || strict : strict;
                        upper = v;
                        hasUpper = true;
                    }
                }
                case EQ -> {
                    if (hasEq && v != eq) {
                        never = true;
                    }
                    hasEq = true;
                    eq = v;
                }
                default -> throw new IllegalStateException("operator: " + c.operator());
            }
        }
        return new ConstraintBounds(false, hasLower, lower, lowerStrict, hasUpper, upper, upperStrict, hasEq, eq,
                never);
    }

    /** True when {@code cost} meets every constraint. */
    @Override
    public boolean test(double cost) {
        if (all) {
            return true;
        }
        if (never || (hasEq && !(cost == eq))) {
            return false;
        }
        if (hasLower && !(lowerStrict ? cost > lower : cost >= lower)) {
            return false;
        }
        if (hasUpper && !(upperStrict ? cost < upper : cost <= upper)) {
            return false;
        }
        return true;
    }
}

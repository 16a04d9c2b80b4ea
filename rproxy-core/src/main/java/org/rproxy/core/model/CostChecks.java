package org.rproxy.core.model;

/**
 * The checks a {@link CostMap} makes of each cost (RFC 7285 §11.2.3.6: a JSON number, here
 * also finite; §6.1.2.2: an ordinal cost is a positive integer), in one place for the three ways
 * a table is built: copied from any map, collected by {@link CostRows}, or mapped from another
 * table. Each way visits the pairs in the same sorted order and checks a PID name where it first
 * appears, so all report the same first error for the same content. Stateless.
 */
final class CostChecks {

    private CostChecks() {
    }

    static void cost(CostType type, String src, String dst, Double cost) {
        if (cost == null) {
            throw new AltoException(AltoError.invalidValue(field(src, dst), "null", "cost must be a finite number"));
        }
        cost(type, src, dst, cost.doubleValue());
    }

    static void cost(CostType type, String src, String dst, double cost) {
        if (Double.isNaN(cost) || Double.isInfinite(cost)) {
            throw new AltoException(AltoError.invalidValue(field(src, dst), String.valueOf(cost),
                    "cost must be a finite number"));
        }
        if (type.mode() == CostMode.ORDINAL && !isOrdinal(cost)) {
            throw new AltoException(AltoError.invalidValue(field(src, dst), String.valueOf(cost),
                    "an ordinal cost must be a positive integer (RFC 7285 §6.1.2.2)"));
        }
    }

    /** True for a cost an ordinal map may hold. */
    static boolean isOrdinal(double cost) {
        return cost >= 1 && cost == Math.rint(cost);
    }

    static void source(String src) {
        Identifiers.pid(src, "cost-map/" + src);
    }

    static void destination(String src, String dst) {
        Identifiers.pid(dst, field(src, dst));
    }

    private static String field(String src, String dst) {
        return "cost-map/" + src + "/" + dst;
    }
}

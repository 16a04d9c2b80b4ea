package org.rproxy.core.model;

/** RFC 7285 §6.1.2 cost modes. */
public enum CostMode {
    NUMERICAL("numerical"),
    ORDINAL("ordinal");

    private final String wireName;

    CostMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The mode of the given wire name, or an {@code E_INVALID_FIELD_VALUE} naming {@code field}. */
    public static CostMode parse(String s, String field) {
        for (CostMode m : values()) {
            if (m.wireName.equals(s)) {
                return m;
            }
        }
        throw new AltoException(AltoError.invalidValue(field, s, "cost-mode must be numerical or ordinal"));
    }
}

package org.rproxy.harness.load;

import java.util.Locale;

/**
 * How much of what viewers receive is checked: {@code all}, {@code sample:P} (each response with
 * probability P) or {@code none}.
 *
 * @param share the share of responses checked, 0 to 1
 */
public record VerifyMode(double share) {
    public static final VerifyMode ALL = new VerifyMode(1);
    public static final VerifyMode NONE = new VerifyMode(0);

    public VerifyMode {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("share: " + share + " (expected: 0 to 1)");
        }
    }

    public static VerifyMode parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("all")) {
            return ALL;
        }
        if (t.equals("none")) {
            return NONE;
        }
        if (t.startsWith("sample:")) {
            try {
                return new VerifyMode(Double.parseDouble(t.substring(7)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--verify: '" + text + "': " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("--verify: '" + text + "' (expected: all, sample:P or none)");
    }

    /** Whether response number {@code n} (any stable number) is checked. */
    boolean checks(long n) {
        if (share >= 1) {
            return true;
        }
        if (share <= 0) {
            return false;
        }
        long h = n * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return (h >>> 11) * 0x1.0p-53 < share;
    }

    @Override
    public String toString() {
        return share >= 1 ? "all" : share <= 0 ? "none" : "sample:" + share;
    }
}

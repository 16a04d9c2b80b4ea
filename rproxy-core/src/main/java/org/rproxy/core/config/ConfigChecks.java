package org.rproxy.core.config;

import java.time.Duration;
import java.util.List;

/**
 * The checks config records make in their compact constructors. Each throws an
 * {@link IllegalArgumentException} whose message starts with the key, so that
 * {@link ConfigLoader} can prefix the path of the enclosing section:
 * {@code url: missing} becomes {@code upstream.url: missing}. Stateless.
 */
public final class ConfigChecks {

    private ConfigChecks() {
    }

    /** {@code value}, or a "missing" failure for {@code key}. */
    public static <T> T required(T value, String key) {
        if (value == null) {
            throw new IllegalArgumentException(key + ": missing");
        }
        return value;
    }

    /** {@code value} when given, else {@code fallback}. */
    public static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    /**
     * {@code list} as an unmodifiable copy (empty when null), or a "missing" failure naming the
     * first entry left empty ({@code trust: [a.pub, ~]} is {@code trust[1]: missing}).
     */
    public static <T> List<T> entries(List<T> list, String key) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(key + "[" + i + "]: missing");
            }
        }
        return List.copyOf(list);
    }

    public static int atLeast(Integer value, int fallback, int min, String key) {
        int v = value == null ? fallback : value;
        if (v < min) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: >= " + min + ")");
        }
        return v;
    }

    /** {@code value} when given, else {@code fallback}; more than 0 and at most {@link Durations#MAX}. */
    public static Duration positive(Duration value, Duration fallback, String key) {
        Duration d = value == null ? fallback : value;
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": " + Durations.format(d) + " (expected: > 0)");
        }
        if (d.compareTo(Durations.MAX) > 0) {
            throw new IllegalArgumentException(key + ": " + Durations.format(d) + " (expected: at most "
                    + Durations.format(Durations.MAX) + ")");
        }
        return d;
    }
}

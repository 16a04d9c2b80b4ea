package org.rproxy.core.config;

import java.time.Duration;

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

    public static int atLeast(Integer value, int fallback, int min, String key) {
        int v = value == null ? fallback : value;
        if (v < min) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: >= " + min + ")");
        }
        return v;
    }

    public static Duration positive(Duration value, Duration fallback, String key) {
        Duration d = value == null ? fallback : value;
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": " + Durations.format(d) + " (expected: > 0)");
        }
        return d;
    }
}

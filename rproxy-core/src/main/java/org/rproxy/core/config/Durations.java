package org.rproxy.core.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 1h},
 * {@code 2d}, or ISO-8601 ({@code PT1H}). Stateless.
 */
public final class Durations {

    /**
     * The longest duration a setting takes: a year. Far beyond any sensible timeout, interval or
     * validity, and far inside what the code computes with (a deadline in nanoseconds overflows
     * after 292 years, a timeout in int milliseconds after 24 days).
     */
    public static final Duration MAX = Duration.ofDays(365);

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException {@code "'30x' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)"}
     */
    public static Duration parse(String text) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1).trim());
            switch (v.charAt(v.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default: break;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)");
    }

    /** The shortest of the forms above that states {@code d} exactly. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}

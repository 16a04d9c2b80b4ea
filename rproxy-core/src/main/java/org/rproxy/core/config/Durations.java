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

    /**
     * {@code d} for a reader, in whole days, hours, minutes and seconds, largest first and rounded
     * down ({@code 1h58m56s}, {@code 2d3h}, {@code 45s}); under a second, in milliseconds
     * ({@code 250ms}); a negative duration with a minus sign. Where a setting is named back to its
     * operator, {@link #format} is the form they can write again.
     */
    public static String describe(Duration d) {
        if (d.isNegative()) {
            return "-" + describe(d.negated());
        }
        long s = d.getSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        StringBuilder sb = new StringBuilder();
        long[] sizes = {86_400, 3600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (s >= sizes[i]) {
                sb.append(s / sizes[i]).append(units[i]);
                s %= sizes[i];
            }
        }
        return sb.toString();
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

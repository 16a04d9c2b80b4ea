package org.rproxy.app;

import java.time.Duration;
import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as operators write them: {@code 90s}, {@code 15m}, {@code 1h}, {@code 2d},
 * {@code 500ms}, or ISO-8601 ({@code PT1H}).
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses a duration; throws {@link TypeConversionException} naming the value. */
    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return positive(Duration.parse(v.toUpperCase(Locale.ROOT)), value);
            }
            if (v.endsWith("ms")) {
                return positive(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))), value);
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's': return positive(Duration.ofSeconds(n), value);
                case 'm': return positive(Duration.ofMinutes(n), value);
                case 'h': return positive(Duration.ofHours(n), value);
                case 'd': return positive(Duration.ofDays(n), value);
                default: break;
            }
        } catch (RuntimeException e) {
            // fall through to the error below
        }
        throw new TypeConversionException("'" + value + "' is not a duration (expected e.g. 90s, 15m, 1h, 500ms, PT1H)");
    }

    private static Duration positive(Duration d, String original) {
        if (d.isNegative() || d.isZero()) {
            throw new TypeConversionException("'" + original + "' must be a positive duration");
        }
        return d;
    }
}

package org.rproxy.app;

import java.time.Duration;

import org.rproxy.core.config.Durations;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as operators write them ({@link Durations#parse}: {@code 90s}, {@code 15m},
 * {@code 1h}, {@code 2d}, {@code 500ms}), more than 0 and at most {@link Durations#MAX}, as a
 * config file's are; {@link AllowingZero} for the options where 0 means "at once". Picocli puts
 * the option's name in front of the reason. Stateless.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses a positive duration; throws {@link TypeConversionException} naming the value. */
    public static Duration parse(String value) {
        Duration d = read(value);
        if (d.isNegative() || d.isZero()) {
            throw new TypeConversionException("'" + value + "' must be a positive duration");
        }
        return bounded(d, value);
    }

    /** A duration of 0 or more, at most {@link Durations#MAX} (e.g. {@code --delete-settle}). */
    static final class AllowingZero implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = read(value);
            if (d.isNegative()) {
                throw new TypeConversionException("'" + value + "' must be 0s or a positive duration");
            }
            return bounded(d, value);
        }
    }

    private static Duration read(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    private static Duration bounded(Duration d, String value) {
        if (d.compareTo(Durations.MAX) > 0) {
            throw new TypeConversionException("'" + value + "' is too long (expected: at most "
                    + Durations.format(Durations.MAX) + ")");
        }
        return d;
    }
}

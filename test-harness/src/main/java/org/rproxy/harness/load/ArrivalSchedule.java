package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

import org.rproxy.app.DurationConverter;

/**
 * When viewers arrive, independent of how fast earlier ones are served (an open-loop schedule):
 *
 * <ul>
 *   <li>{@code flash:DURATION} — all N viewers within DURATION, uniformly: the window is cut into
 *       N equal slots and each viewer arrives at a random instant of its own slot, so exactly N
 *       arrive, in order, and none after DURATION;</li>
 *   <li>{@code poisson:RATE} — a Poisson process of RATE arrivals per second (exponential gaps);</li>
 *   <li>{@code steady:RATE} — one arrival every 1/RATE seconds.</li>
 * </ul>
 *
 * A schedule is a value; {@link #start} gives a fresh, seeded sequence of arrival offsets, so the
 * same seed always yields the same arrivals.
 */
public final class ArrivalSchedule {
    /** The shape of a schedule. */
    public enum Kind { FLASH, POISSON, STEADY }

    private final Kind kind;
    private final Duration window;
    private final double rate;

    private ArrivalSchedule(Kind kind, Duration window, double rate) {
        this.kind = kind;
        this.window = window;
        this.rate = rate;
    }

    public static ArrivalSchedule flash(Duration window) {
        requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
        return new ArrivalSchedule(Kind.FLASH, window, 0);
    }

    public static ArrivalSchedule poisson(double perSecond) {
        return new ArrivalSchedule(Kind.POISSON, null, checkRate(perSecond));
    }

    public static ArrivalSchedule steady(double perSecond) {
        return new ArrivalSchedule(Kind.STEADY, null, checkRate(perSecond));
    }

    /** Parses {@code flash:60s}, {@code poisson:2000}, {@code steady:500}. */
    public static ArrivalSchedule parse(String text) {
        requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--arrival: '" + text + "' (expected: flash:DURATION, poisson:RATE or steady:RATE)");
        }
        String kind = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String arg = text.substring(colon + 1);
        try {
            switch (kind) {
                case "flash": return flash(DurationConverter.parse(arg));
                case "poisson": return poisson(Double.parseDouble(arg));
                case "steady": return steady(Double.parseDouble(arg));
                default: break;
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--arrival: '" + text + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("--arrival: '" + text + "' (expected: flash:DURATION, poisson:RATE or steady:RATE)");
    }

    private static double checkRate(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate: " + perSecond + " (expected: > 0 per second)");
        }
        return perSecond;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * A fresh sequence of arrival offsets.
     *
     * @param viewers how many viewers at most
     * @param limit   no arrival at or after this offset, or null for no limit
     * @param seed    the random seed
     */
    public Arrivals start(long viewers, Duration limit, long seed) {
        if (viewers < 0) {
            throw new IllegalArgumentException("viewers: " + viewers + " (expected: >= 0)");
        }
        long limitNanos = limit == null ? Long.MAX_VALUE : limit.toNanos();
        return new Arrivals(this, viewers, limitNanos, new SplittableRandom(seed ^ 0x5DEECE66DL));
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ":" + (kind == Kind.FLASH ? window.toMillis() + "ms" : rate + "/s");
    }

    /** A sequence of arrival offsets in nanoseconds from the start, non-decreasing. Single-threaded. */
    public static final class Arrivals {
        private final ArrivalSchedule schedule;
        private final long viewers;
        private final long limitNanos;
        private final SplittableRandom random;
        private long index;
        private double clock;

        private Arrivals(ArrivalSchedule schedule, long viewers, long limitNanos, SplittableRandom random) {
            this.schedule = schedule;
            this.viewers = viewers;
            this.limitNanos = limitNanos;
            this.random = random;
        }

        /** The next arrival's offset in nanoseconds, or -1 when there are no more. */
        public long next() {
            if (index >= viewers) {
                return -1;
            }
            long at = offset();
            if (at >= limitNanos) {
                index = viewers;
                return -1;
            }
            index++;
            return at;
        }

        /** How many arrivals were handed out. */
        public long count() {
            return index;
        }

        private long offset() {
            switch (schedule.kind) {
                case FLASH: {
                    double slot = (double) schedule.window.toNanos() / viewers;
                    return (long) ((index + random.nextDouble()) * slot);
                }
                case POISSON:
                    clock += -Math.log(1 - random.nextDouble()) / schedule.rate * 1e9;
                    return (long) clock;
                default:
                    return (long) (index * 1e9 / schedule.rate);
            }
        }
    }
}

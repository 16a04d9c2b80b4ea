package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

import org.rproxy.core.config.Durations;

/**
 * The times {@link Renewals} keeps a node's records by (see there for what each is for), other
 * than {@code republish}, which is the operator's. The product always runs on {@link #DEFAULT};
 * these are not an operator's setting (they are tuned to how mldht nodes throttle and settle, not
 * to a deployment), so they are package-private, and only the overlay's own tests set others:
 * short ones for nodes whose checks wait for a store no node took, or for a store the routing
 * table's growth calls for, so that a check waits seconds where the product waits a minute.
 *
 * @param settle       when a record is stored again after its first store, while the DHT around
 *                     it settles: counted from the first store, ascending, each above zero (may be
 *                     empty: straight to the republishing)
 * @param retry        how long after a try that fewer than half of the closest nodes took the
 *                     next try is made, and how far apart the stores that the table's growth
 *                     calls for are made: above zero, below {@code unreached}
 * @param unreached    how long after a store no node took it is made again, doubling each time;
 *                     also the least time between a record's store and one the table's growth
 *                     calls for: above zero
 * @param unreachedCap the longest of those waits: at least {@code unreached}
 * @param growthCheck  how often the routing table's size is read for those stores: above zero,
 *                     at most {@code unreached}
 */
record RenewalTimes(List<Duration> settle, Duration retry, Duration unreached, Duration unreachedCap,
                    Duration growthCheck) {
    /** The product's times: settling stores after 10 s and 1 min, tries a second apart, 10 s doubling up to 2 min. */
    static final RenewalTimes DEFAULT = new RenewalTimes(List.of(Duration.ofSeconds(10), Duration.ofMinutes(1)),
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofSeconds(1));

    /** @throws IllegalArgumentException naming the time at fault and the range it must be in */
    RenewalTimes {
        settle = List.copyOf(requireNonNull(settle, "settle"));
        Duration last = Duration.ZERO;
        for (int i = 0; i < settle.size(); i++) {
            if (settle.get(i).compareTo(last) <= 0) {
                throw new IllegalArgumentException("settle[" + i + "]: " + Durations.format(settle.get(i))
                        + " (expected: above " + Durations.format(last) + ": counted from the first store, ascending)");
            }
            last = settle.get(i);
        }
        positive(unreached, "unreached");
        positive(retry, "retry");
        if (retry.compareTo(unreached) >= 0) {
            throw new IllegalArgumentException("retry: " + Durations.format(retry) + " (expected: below unreached, "
                    + Durations.format(unreached) + ")");
        }
        requireNonNull(unreachedCap, "unreachedCap");
        if (unreachedCap.compareTo(unreached) < 0) {
            throw new IllegalArgumentException("unreachedCap: " + Durations.format(unreachedCap)
                    + " (expected: at least unreached, " + Durations.format(unreached) + ")");
        }
        positive(growthCheck, "growthCheck");
        if (growthCheck.compareTo(unreached) > 0) {
            throw new IllegalArgumentException("growthCheck: " + Durations.format(growthCheck)
                    + " (expected: at most unreached, " + Durations.format(unreached) + ")");
        }
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + Durations.format(d) + " (expected: above zero)");
        }
    }
}

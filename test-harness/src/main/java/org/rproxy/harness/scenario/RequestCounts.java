package org.rproxy.harness.scenario;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What the relay counts: requests by method and target (for totals and reports), and, per
 * resource, the most requests within any stretch of one refresh period (for "a handful of
 * requests per resource per period"). The stretch is a window sliding over the requests, not a
 * fixed bucket counted from when counting began: with buckets, requests bunched across a
 * bucket's edge (a burst, or two refreshes close together) were split in two, and a resource
 * could take twice the bound within one period and pass. A POST's resource includes a digest of
 * its body, since distinct queries are distinct resources, and a request accepting gzip counts
 * apart from one that does not: each variant of a document is signed, held and revalidated on
 * its own, so a proxy asks once per variant. Thread-safe; recorded on event loops.
 */
final class RequestCounts {
    private final ConcurrentHashMap<String, LongAdder> byTarget = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier nanos;
    private volatile long epoch;
    private volatile long periodNanos = Long.MAX_VALUE;

    RequestCounts() {
        this(System::nanoTime);
    }

    /** @param nanos the time requests are recorded at (a test moves it) */
    RequestCounts(LongSupplier nanos) {
        this.nanos = nanos;
        this.epoch = nanos.getAsLong();
    }

    /**
     * The busiest resource: its method and target, how many requests it got within one period,
     * and when the first of them came, in seconds after counting began.
     */
    record PeriodPeak(String resource, double fromSeconds, long count) {
    }

    /**
     * @param target   method and request target
     * @param resource the target, plus the body digest for a request with a body and the variant asked for
     */
    void record(String target, String resource) {
        byTarget.computeIfAbsent(target, k -> new LongAdder()).increment();
        windows.computeIfAbsent(resource, k -> new Window()).add(nanos.getAsLong() - epoch, periodNanos);
    }

    /** Starts counting per resource per period of this length, from now. */
    void countPeriods(Duration period) {
        windows.clear();
        epoch = nanos.getAsLong();
        periodNanos = period.toNanos();
    }

    PeriodPeak peakPerPeriod() {
        PeriodPeak best = new PeriodPeak("-", 0, 0);
        for (Map.Entry<String, Window> e : new TreeMap<>(windows).entrySet()) {
            PeriodPeak p = e.getValue().peak(e.getKey());
            if (p.count() > best.count()) {
                best = p;
            }
        }
        return best;
    }

    /** The peak as a verdict table shows it: the count, the resource, and when its busiest period began. */
    static String describe(PeriodPeak peak) {
        return peak.count() == 0 ? "0" : String.format(java.util.Locale.ROOT,
                "%d (%s; the busiest stretch began %.1f s after counting began, with the crowd)",
                peak.count(), peak.resource(), peak.fromSeconds());
    }

    /** Distinct resources requested since {@link #countPeriods}. */
    long distinctResources() {
        return windows.size();
    }

    long total() {
        return byTarget.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> byTarget() {
        Map<String, Long> out = new TreeMap<>();
        byTarget.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /**
     * One resource's requests within the last period (a ring of their times), and the most there
     * ever were: the count within (t - period, t] is highest at the instant of some request, so
     * checking at each request finds the busiest stretch wherever it lies.
     */
    private static final class Window {
        private long[] times = new long[4];
        private int head;
        private int size;
        private int most;
        private long mostFrom;

        synchronized void add(long t, long period) {
            long cutoff = period == Long.MAX_VALUE ? Long.MIN_VALUE : t - period;
            while (size > 0 && times[head] <= cutoff) {
                head = (head + 1) % times.length;
                size--;
            }
            if (size == times.length) {
                long[] grown = new long[times.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = times[(head + i) % times.length];
                }
                times = grown;
                head = 0;
            }
            times[(head + size) % times.length] = t;
            size++;
            if (size > most) {
                most = size;
                mostFrom = times[head];
            }
        }

        synchronized PeriodPeak peak(String resource) {
            return new PeriodPeak(resource, mostFrom / 1e9, most);
        }
    }
}

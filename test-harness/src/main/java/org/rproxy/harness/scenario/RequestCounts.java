package org.rproxy.harness.scenario;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the relay counts: requests by method and target (for totals and reports), and requests by
 * resource per refresh period (for "a handful of requests per resource per period"), where a
 * POST's resource includes a digest of its body, since distinct queries are distinct resources,
 * and a request accepting gzip counts apart from one that does not: each variant of a document is
 * signed, held and revalidated on its own, so a proxy asks once per variant.
 * Thread-safe; recorded on event loops.
 */
final class RequestCounts {
    private final ConcurrentHashMap<String, LongAdder> byTarget = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> perPeriod = new ConcurrentHashMap<>();
    private volatile long epoch = System.nanoTime();
    private volatile long periodNanos = Long.MAX_VALUE;

    /** The busiest resource in one period: its method and target, which period, how many requests. */
    record PeriodPeak(String resource, long period, long count) {
    }

    /**
     * @param target   method and request target
     * @param resource the target, plus the body digest for a request with a body and the variant asked for
     */
    void record(String target, String resource) {
        byTarget.computeIfAbsent(target, k -> new LongAdder()).increment();
        long period = (System.nanoTime() - epoch) / periodNanos;
        perPeriod.computeIfAbsent(period + " " + resource, k -> new LongAdder()).increment();
    }

    /** Starts counting per resource per period of this length, from now. */
    void countPeriods(Duration period) {
        perPeriod.clear();
        epoch = System.nanoTime();
        periodNanos = period.toNanos();
    }

    PeriodPeak peakPerPeriod() {
        PeriodPeak best = new PeriodPeak("-", -1, 0);
        for (Map.Entry<String, LongAdder> e : perPeriod.entrySet()) {
            long n = e.getValue().sum();
            if (n > best.count()) {
                int sp = e.getKey().indexOf(' ');
                best = new PeriodPeak(e.getKey().substring(sp + 1), Long.parseLong(e.getKey().substring(0, sp)), n);
            }
        }
        return best;
    }

    /** Distinct resources requested since {@link #countPeriods}. */
    long distinctResources() {
        Set<String> seen = new HashSet<>();
        perPeriod.keySet().forEach(k -> seen.add(k.substring(k.indexOf(' ') + 1)));
        return seen.size();
    }

    long total() {
        return byTarget.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> byTarget() {
        Map<String, Long> out = new TreeMap<>();
        byTarget.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}

package org.rproxy.harness.load;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * What the requests of one {@code harness burst} came to: each is answered (a status and its
 * latency), failed (what went wrong, no latency) or without an end within the limit, whether
 * its read waited out the limit or the burst cut it off there: both are counted under the one
 * name the summary gives them, so a server that never answers reads as such. Written by the
 * request threads, read by the main thread; a result recorded after the cut-off is ignored.
 */
final class BurstResults {
    private final String[] outcome;
    private final String noEnd;
    private final Histogram micros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    private int ended;
    private boolean over;

    /** @param noEnd what a request without an end within the limit is counted as ({@code no end within 30 s}) */
    BurstResults(int requests, String noEnd) {
        outcome = new String[requests];
        this.noEnd = noEnd;
    }

    /** Request {@code i} was answered with {@code status} (its three digits) after {@code latencyMicros}. */
    synchronized void answered(int i, String status, long latencyMicros) {
        if (over || outcome[i] != null) {
            return;
        }
        micros.recordValue(Math.max(0, Math.min(latencyMicros, micros.getHighestTrackableValue())));
        outcome[i] = status;
        ended++;
        notifyAll();
    }

    synchronized void failed(int i, String kind) {
        if (over || outcome[i] != null) {
            return;
        }
        outcome[i] = kind;
        ended++;
        notifyAll();
    }

    /** Request {@code i} had no end within the limit: its read waited out the limit. */
    void noEnd(int i) {
        failed(i, noEnd);
    }

    /** Waits until every request ended or {@code nanos} passed. */
    synchronized void awaitAll(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; ended < outcome.length && left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Ends the burst: requests still going had no end within the limit. */
    synchronized void cutOff() {
        over = true;
        for (int i = 0; i < outcome.length; i++) {
            if (outcome[i] == null) {
                outcome[i] = noEnd;
            }
        }
    }

    synchronized boolean allAnswered2xx() {
        for (String o : outcome) {
            if (o == null || !(o.length() == 3 && o.charAt(0) == '2')) {
                return false;
            }
        }
        return true;
    }

    /** The one line the command prints (bench/compare.sh shows what follows the first ": "). */
    synchronized String summary(int concurrency, URI url) {
        Map<String, Integer> statuses = new TreeMap<>();
        for (String o : outcome) {
            statuses.merge(o == null ? "unknown" : o, 1, Integer::sum);
        }
        int late = statuses.getOrDefault(noEnd, 0);
        long answered = micros.getTotalCount();
        long failed = outcome.length - answered;
        String latency = answered == 0 ? "latency: none answered"
                : String.format(Locale.ROOT, "latency of the %d answered p50 %.1f ms, p99 %.1f ms, max %.1f ms", answered,
                        micros.getValueAtPercentile(50) / 1e3, micros.getValueAtPercentile(99) / 1e3, micros.getMaxValue() / 1e3);
        return String.format(Locale.ROOT, "burst %d x %s: statuses %s; %s; %d failed (%d did not end in time), not in the latency",
                concurrency, url, statuses, latency, failed, late);
    }
}

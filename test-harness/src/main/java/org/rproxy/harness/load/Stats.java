package org.rproxy.harness.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency recorders of one run, written by the client's event loops and the arrival
 * thread and read once a second by the progress sampler. Latencies are in microseconds in
 * HdrHistogram {@link Recorder}s (writers never block), up to an hour with three significant
 * digits.
 */
final class Stats {
    static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    final Recorder requestLatency = new Recorder(MAX_MICROS, 3);
    final Recorder joinLatency = new Recorder(MAX_MICROS, 3);
    /** The part of an answered request's latency spent in the harness: from when it was due to when it was written. */
    final Recorder queuedLatency = new Recorder(MAX_MICROS, 3);
    /** The rest: from when it was written to its answer (the server, the network, and requests ahead of it on the connection). */
    final Recorder serverLatency = new Recorder(MAX_MICROS, 3);
    /** Requests viewers handed to a connection (retries included). */
    final LongAdder sent = new LongAdder();
    /** Responses received, any status: these, and only these, have a request latency. */
    final LongAdder requests = new LongAdder();
    /** Requests that ended without an answer (timeout, connection closed, connect failed). */
    final LongAdder unanswered = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder notModified = new LongAdder();
    final LongAdder viewersStarted = new LongAdder();
    final LongAdder viewersJoined = new LongAdder();
    final LongAdder viewersFailed = new LongAdder();
    final LongAdder signedChecked = new LongAdder();
    final LongAdder signedUnchecked = new LongAdder();
    final LongAdder derived = new LongAdder();
    final LongAdder errorCount = new LongAdder();
    final LongAdder connects = new LongAdder();
    /** Connect attempts that failed: one per attempt, however many requests waited for it. */
    final LongAdder connectFailures = new LongAdder();
    /** Requests sent again on a new connection after theirs failed under them. */
    final LongAdder sentAgain = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> verifyFailures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> byStep = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> retriesByStep = new ConcurrentHashMap<>();
    /** Responses per target URL, then per step: the key is the URL, a tab, the step. */
    private final ConcurrentHashMap<String, LongAdder> byTargetStep = new ConcurrentHashMap<>();

    void error(String kind) {
        errorCount.increment();
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void verifyFailure(String outcome) {
        verifyFailures.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    /** A response from {@code target} at this step: counted by step, and by target and step. */
    void step(String target, String name) {
        byStep.computeIfAbsent(name, k -> new LongAdder()).increment();
        byTargetStep.computeIfAbsent(target + '\t' + name, k -> new LongAdder()).increment();
    }

    /** Responses per target URL and step. */
    Map<String, Map<String, Long>> targets() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        byTargetStep.forEach((k, v) -> {
            int tab = k.indexOf('\t');
            out.computeIfAbsent(k.substring(0, tab), t -> new TreeMap<>()).put(k.substring(tab + 1), v.sum());
        });
        return out;
    }

    /** A {@code 503} at this step was asked again (the response itself is counted by {@link #step}). */
    void retry(String step) {
        retriesByStep.computeIfAbsent(step, k -> new LongAdder()).increment();
    }

    Map<String, Long> retries() {
        return snapshot(retriesByStep);
    }

    Map<String, Long> errors() {
        return snapshot(errors);
    }

    Map<String, Long> verifyFailures() {
        return snapshot(verifyFailures);
    }

    Map<String, Long> steps() {
        return snapshot(byStep);
    }

    long verifyFailureCount() {
        return verifyFailures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    static Histogram emptyHistogram() {
        return new Histogram(MAX_MICROS, 3);
    }

    /** Records {@code micros}, clamped into the trackable range. */
    static void record(Recorder r, long micros) {
        r.recordValue(Math.max(0, Math.min(MAX_MICROS, micros)));
    }
}

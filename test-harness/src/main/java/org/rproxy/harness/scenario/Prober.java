package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * Asks a node for one URL on a fixed schedule, one request at a time, on a thread of its own, and
 * keeps the latencies: how another client fares while the node is under attack.
 *
 * <p>A probe is sent every {@code period} after the previous answer. Its latency is recorded with
 * the probes that would have fallen due while it waited ({@link Histogram#recordValueWithExpectedInterval}):
 * a probe that took one second stands for the hundred that another client, asking every 10 ms,
 * would have sent meanwhile and waited for. Recorded alone, a one-second stall was one slow sample
 * among a hundred fast ones, and the 99th percentile did not see it (coordinated omission). A probe
 * that fails (no connection, an error, no answer within {@code timeout}) is recorded as taking at
 * least {@code timeout}, and counted apart.
 */
final class Prober {
    private final HttpClient http;
    private final HttpRequest request;
    private final long periodNanos;
    private final long timeoutMicros;
    private final long limitNanos;
    private final Histogram latencies = new Histogram(600_000_000L, 3);
    private final Thread thread;
    private volatile boolean probing = true;
    private long probesSent;
    private long failed;

    /**
     * @param period  how often a probe is due
     * @param timeout a probe not answered within this fails
     * @param limit   the prober stops after this however long it is kept running
     */
    Prober(HttpClient http, URI url, Duration period, Duration timeout, Duration limit) {
        this.http = requireNonNull(http, "http");
        this.request = HttpRequest.newBuilder(url).timeout(timeout).build();
        this.periodNanos = period.toNanos();
        this.timeoutMicros = timeout.toNanos() / 1_000;
        this.limitNanos = limit.toNanos();
        this.thread = new Thread(this::run, "prober " + url.getPath());
        thread.setDaemon(true);
    }

    Prober start() {
        thread.start();
        return this;
    }

    private void run() {
        long start = System.nanoTime();
        long periodMicros = periodNanos / 1_000;
        while (probing && System.nanoTime() - start < limitNanos) {
            long sent = System.nanoTime();
            long micros;
            try {
                http.send(request, HttpResponse.BodyHandlers.discarding());
                micros = (System.nanoTime() - sent) / 1_000;
            } catch (IOException e) {
                micros = Math.max(timeoutMicros, (System.nanoTime() - sent) / 1_000);
                synchronized (this) {
                    failed++;
                }
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                probesSent++;
                latencies.recordValueWithExpectedInterval(Math.max(1, Math.min(micros, latencies.getHighestTrackableValue())),
                        periodMicros);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(periodNanos);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops probing and waits for the probe in flight (at most its timeout); returns the latencies. */
    Histogram stop() throws InterruptedException {
        probing = false;
        thread.join(timeoutMicros / 1_000 + 5_000);
        thread.interrupt();
        synchronized (this) {
            return latencies.copy();
        }
    }

    /** Probes sent so far (answered or failed); the latencies hold more, the probes a stall held back. */
    synchronized long probes() {
        return probesSent;
    }

    /** Probes that failed (no connection, an error, no answer in time). */
    synchronized long failed() {
        return failed;
    }
}

package org.rproxy.harness.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import org.rproxy.harness.report.RunReport;

/**
 * Once a second, takes the interval histograms from the recorders, adds them to the run's
 * totals, appends a {@link RunReport.Sample} to the time series and prints a progress line:
 * viewers arrived and joined, requests per second, errors, verification failures and that
 * second's p99. The rate is the count of that second's latency histogram, not a difference of the
 * response counter: a viewer records a latency and then counts the response, so a sample taken
 * between the two would show the latency without the response (at a low rate, "0 req/s" beside a
 * p99) and the response a second later without it. Runs on its own thread; {@link #stop} takes a
 * last sample.
 */
final class Sampler {
    private final Stats stats;
    private final long start;
    private final long planned;
    private final Progress progress;
    private final Histogram totalRequests = Stats.emptyHistogram();
    private final Histogram totalJoins = Stats.emptyHistogram();
    private final Histogram totalQueued = Stats.emptyHistogram();
    private final Histogram totalServer = Stats.emptyHistogram();
    private final List<RunReport.Sample> series = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "harness-sampler");
        t.setDaemon(true);
        return t;
    });
    private Histogram reqInterval;
    private Histogram joinInterval;
    private Histogram queuedInterval;
    private Histogram serverInterval;
    private long lastNanos;

    Sampler(Stats stats, long start, long planned, Progress progress) {
        this.stats = stats;
        this.start = start;
        this.planned = planned;
        this.progress = progress;
        this.lastNanos = start;
    }

    void start() {
        timer.scheduleAtFixedRate(this::sampleSafely, 1, 1, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        sample();
        progress.end();
    }

    synchronized Histogram totalRequests() {
        return totalRequests.copy();
    }

    synchronized Histogram totalJoins() {
        return totalJoins.copy();
    }

    synchronized Histogram totalQueued() {
        return totalQueued.copy();
    }

    synchronized Histogram totalServer() {
        return totalServer.copy();
    }

    synchronized List<RunReport.Sample> series() {
        return List.copyOf(series);
    }

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            progress.update("progress sampling failed: " + e);
        }
    }

    private synchronized void sample() {
        long now = System.nanoTime();
        reqInterval = stats.requestLatency.getIntervalHistogram(reqInterval);
        joinInterval = stats.joinLatency.getIntervalHistogram(joinInterval);
        totalRequests.add(reqInterval);
        totalJoins.add(joinInterval);
        queuedInterval = stats.queuedLatency.getIntervalHistogram(queuedInterval);
        serverInterval = stats.serverLatency.getIntervalHistogram(serverInterval);
        totalQueued.add(queuedInterval);
        totalServer.add(serverInterval);
        double secs = Math.max(1e-3, (now - lastNanos) / 1e9);
        double rate = reqInterval.getTotalCount() / secs;
        lastNanos = now;
        double t = (now - start) / 1e9;
        boolean any = reqInterval.getTotalCount() > 0;
        RunReport.Sample s = new RunReport.Sample(round(t), stats.viewersStarted.sum(), stats.viewersJoined.sum(),
                round(rate), stats.errorCount.sum(), any ? reqInterval.getValueAtPercentile(50) / 1000.0 : 0,
                any ? reqInterval.getValueAtPercentile(99) / 1000.0 : 0, any ? reqInterval.getMaxValue() / 1000.0 : 0);
        series.add(s);
        progress.update(String.format("%6.0fs  viewers %,d/%,d arrived  %,d joined  %,8.0f req/s  errors %,d  verify-fail %,d  p99 %.1f ms",
                t, s.started(), planned, s.joined(), rate, s.errors(), stats.verifyFailureCount(), s.p99()));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.harness.report.RunReport;

/**
 * Runs one crowd of viewers against the targets and returns what it measured.
 *
 * <p>The run's clock starts once the client pool is up (its event loops started, every connection
 * opened, the HTTP codec run once in memory): the harness's own start is reported apart ({@link RunReport#setupSeconds}) and is in no
 * latency, rate or length.
 *
 * <p>Threads: the calling thread releases viewers at their scheduled instants (open loop: a
 * viewer starts when its time comes whether or not earlier ones have been answered); the client
 * event loops carry the requests and move viewers on; a sampler thread reads the counters once a
 * second for progress lines and the time series. The run ends when every viewer that arrived has
 * joined or failed, or at the deadline (last arrival plus the drain time), when the rest are
 * counted as unfinished. The counts are taken at that instant, before the pool is closed: the
 * failures the closing causes, and any answer arriving after it, count for no one. Every
 * connection and thread it started is closed before it returns.
 */
public final class LoadRun {
    private final LoadConfig config;
    private final Progress progress;
    private final OriginCounter origin;
    private final Map<String, String> settings;

    /**
     * @param progress  where progress lines go
     * @param origin    where origin requests are read, or null
     * @param settings  the options to show in the report
     */
    public LoadRun(LoadConfig config, Progress progress, OriginCounter origin, Map<String, String> settings) {
        this.config = requireNonNull(config, "config");
        this.progress = requireNonNull(progress, "progress");
        this.origin = origin;
        this.settings = new LinkedHashMap<>(requireNonNull(settings, "settings"));
    }

    public RunReport run(String title) throws Exception {
        Population population = new Population(config.addresses(), config.mix(), config.seed());
        Stats stats = new Stats();
        VerdictCache verdicts = config.verify().share() > 0
                ? new VerdictCache(new ResponseVerifier(config.trusted(), Clock.systemUTC()), Clock.systemUTC()) : null;
        AtomicLong finished = new AtomicLong();
        CountDownLatch allDone = new CountDownLatch(1);
        AtomicLong released = new AtomicLong();
        Map<String, Long> originBefore = origin == null ? null : origin.byPath();
        double seconds;
        double setupSeconds;
        long unfinished;
        long waiting;
        Instant startedAt;
        Sampler sampler = null;
        long setupStart = System.nanoTime();
        try (ClientPool pool = new ClientPool(config.targets(), config.tls(), config.connections(), config.pipeline(),
                config.ioThreads(), config.timeout(), stats)) {
            // the harness's own start (event loops, class loading, connects) is not the servers' time:
            // the run's clock starts once every connection has been opened and the codec has run once
            pool.open();
            CodecWarmUp.run();
            startedAt = Instant.now();
            long start = System.nanoTime();
            setupSeconds = (start - setupStart) / 1e9;
            ArrivalSchedule.Arrivals arrivals = config.arrival().start(config.viewers(), config.duration(), config.seed());
            AtomicBoolean arrivalsOver = new AtomicBoolean();
            // the last viewer to finish after the last arrival ends the run; the arrival thread covers
            // the case where every viewer finished before it marked the arrivals over
            ViewerContext ctx = new ViewerContext(population, stats, verdicts, config.verify(), config.gzip(),
                    config.documentsOnly(), () -> {
                if (finished.incrementAndGet() == released.get() && arrivalsOver.get()) {
                    allDone.countDown();
                }
            });
            sampler = new Sampler(stats, start, config.viewers(), progress);
            sampler.start();
            List<ClientPool.Target> targets = pool.targets();
            for (long offset; (offset = arrivals.next()) >= 0; ) {
                long due = start + offset;
                long wait = due - System.nanoTime();
                if (wait > 200_000) {
                    LockSupport.parkNanos(wait);
                }
                long i = arrivals.count() - 1;
                released.incrementAndGet();
                new Viewer(ctx, targets.get((int) (i % targets.size())), i, due).start();
            }
            arrivalsOver.set(true);
            if (finished.get() == released.get()) {
                allDone.countDown();
            }
            allDone.await(config.drain().toMillis(), TimeUnit.MILLISECONDS);
            // the deadline: count what has ended, before closing the pool fails what has not
            ctx.stop();
            pool.quiesce();
            seconds = (System.nanoTime() - start) / 1e9;
            unfinished = released.get() - finished.get();
            waiting = stats.sent.sum() - stats.requests.sum() - stats.unanswered.sum();
        } finally {
            if (sampler != null) {
                sampler.stop();
            }
        }
        // the run happened: a counter that cannot be read now costs the report that one figure, not the rest
        Map<String, Long> originAfter = null;
        String originUnreadable = null;
        if (origin != null) {
            try {
                originAfter = origin.byPath();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                originUnreadable = e.getMessage() != null ? e.getMessage() : e.toString();
            }
        }
        return report(title, startedAt, seconds, setupSeconds, stats, sampler, verdicts, unfinished, waiting, originBefore,
                originAfter, originUnreadable);
    }

    private RunReport report(String title, Instant startedAt, double seconds, double setupSeconds, Stats stats, Sampler sampler,
                             VerdictCache verdicts, long unfinished, long waiting, Map<String, Long> before,
                             Map<String, Long> after, String originUnreadable) {
        Histogram req = sampler.totalRequests();
        Histogram join = sampler.totalJoins();
        Map<String, Long> errors = new LinkedHashMap<>(stats.errors());
        if (unfinished > 0) {
            errors.put("unfinished at the deadline", unfinished);
        }
        long errorCount = stats.errorCount.sum() + unfinished;
        RunReport.Verification v = new RunReport.Verification(config.verify().toString(), stats.signedChecked.sum(),
                stats.signedUnchecked.sum(), stats.derived.sum(), verdicts == null ? 0 : verdicts.fullVerifications(),
                stats.verifyFailureCount(), stats.verifyFailures());
        RunReport.OriginLoad o = null;
        long beforeRun = before == null ? -1 : before.values().stream().mapToLong(Long::longValue).sum();
        if (originUnreadable != null) {
            o = RunReport.OriginLoad.unreadable(origin.source(), originUnreadable, beforeRun);
        } else if (before != null && after != null) {
            Map<String, Long> diff = new LinkedHashMap<>();
            after.forEach((path, n) -> {
                long d = n - before.getOrDefault(path, 0L);
                if (d != 0) {
                    diff.put(path, d);
                }
            });
            o = new RunReport.OriginLoad(origin.source(), diff.values().stream().mapToLong(Long::longValue).sum(), diff,
                    beforeRun);
        }
        return new RunReport(title, startedAt.toString(), settings, seconds, setupSeconds,
                new RunReport.Viewers(config.viewers(), stats.viewersStarted.sum(), stats.viewersJoined.sum(),
                        stats.viewersFailed.sum(), unfinished),
                stats.requests.sum(), stats.bytes.sum(), stats.notModified.sum(), stats.connects.sum(),
                stats.connectFailures.sum(), stats.sentAgain.sum(),
                stats.requests.sum() / seconds,
                latency(req), latency(sampler.totalQueued()), latency(sampler.totalServer()), new RunReport.Unanswered(stats.unanswered.sum(), waiting), latency(join), percentiles(req),
                errorCount, errors, v, o, stats.steps(), stats.retries(), stats.targets(), sampler.series());
    }

    static RunReport.Latency latency(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new RunReport.Latency(0, 0, 0, 0, 0, 0, 0);
        }
        return new RunReport.Latency(h.getTotalCount(), h.getMean() / 1000, ms(h, 50), ms(h, 90), ms(h, 99),
                ms(h, 99.9), h.getMaxValue() / 1000.0);
    }

    static List<RunReport.Percentile> percentiles(Histogram h) {
        List<RunReport.Percentile> out = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return out;
        }
        for (double p : new double[] {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100}) {
            out.add(new RunReport.Percentile(p, p == 100 ? h.getMaxValue() / 1000.0 : ms(h, p)));
        }
        return out;
    }

    private static double ms(Histogram h, double p) {
        return h.getValueAtPercentile(p) / 1000.0;
    }
}

package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What every viewer of a run shares: the crowd's description, the counters, the verdict cache,
 * the parsed documents and the held copies. Thread-safe.
 */
final class ViewerContext {
    final Population population;
    final Stats stats;
    final VerdictCache verdicts;
    final VerifyMode verify;
    final Documents documents = new Documents();
    final Held held = new Held();
    final boolean gzip;
    final boolean documentsOnly;
    private final AtomicLong responses = new AtomicLong();
    private final Runnable onViewerDone;
    /** Set at the run's deadline: from then on answers and failures count for no one. */
    private volatile boolean stopped;

    /**
     * @param verdicts     null when {@code verify} is none
     * @param onViewerDone called once per viewer when it joined or gave up
     */
    ViewerContext(Population population, Stats stats, VerdictCache verdicts, VerifyMode verify, boolean gzip,
                  boolean documentsOnly, Runnable onViewerDone) {
        this.population = requireNonNull(population, "population");
        this.stats = requireNonNull(stats, "stats");
        this.verify = requireNonNull(verify, "verify");
        if (verdicts == null && verify.share() > 0) {
            throw new IllegalArgumentException("verdicts: null (expected: a cache when verifying)");
        }
        this.verdicts = verdicts;
        this.gzip = gzip;
        this.documentsOnly = documentsOnly;
        this.onViewerDone = requireNonNull(onViewerDone, "onViewerDone");
    }

    /** Whether the next response is checked (every one for {@code all}, a stable sample otherwise). */
    boolean checkNext() {
        return verify.checks(responses.incrementAndGet());
    }

    void viewerDone() {
        onViewerDone.run();
    }

    /**
     * The deadline has come: what arrives from now on (answers, and the failures closing the pool
     * causes) is not counted. A callback that began before is counted; {@link ClientPool#quiesce}
     * waits for it.
     */
    void stop() {
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }
}

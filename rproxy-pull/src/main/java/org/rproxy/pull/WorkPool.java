package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.rproxy.core.concurrent.DaemonThreads;

/**
 * The pull proxy's worker threads ({@code rproxy-pull-work}): verifying each upstream answer
 * ({@link EntryFetch}), hashing forwarded query bodies ({@link PullService}), rebuilding the
 * local answers ({@link CurrentAnswers}) and the failover's health checks.
 *
 * <p>What waits for them is bounded. A client decides how many upstream answers come back: each
 * distinct target or query body it asks for is one more attempt, attempts go on after the client
 * has gone, and the upstream client lets up to 100,000 wait for a connection. When verification
 * falls behind (large bodies, a starved CPU, an upstream answering fast) every answer that arrived
 * would wait in memory, each up to {@code upstream.max-body}. So {@link #execute} refuses a task
 * when {@code maxQueued} are waiting, with a {@link Full}; the request that needed it is answered
 * {@code 503} with {@code Retry-After} (the attempt fails like an upstream whose connections are
 * all busy; a held copy is served as on any failure) and the answer is dropped.
 *
 * <p>{@link #unbounded()} is for the tasks whose number is bounded by construction, which must not
 * be lost to a burst of the others: the rebuild of local answers (one at a time) and the health
 * checks (one per upstream per {@code health-check} period).
 *
 * <p>Thread-safe. {@link #close} stops the threads; a task offered afterwards is refused.
 */
final class WorkPool implements Executor, AutoCloseable {
    /** Tasks that may wait per thread, by default. */
    static final int QUEUE_PER_THREAD = 64;

    /** Refused because {@code maxQueued} tasks wait (not because the pool is closed). */
    static final class Full extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;

        Full(String message) {
            super(message);
        }
    }

    private final ExecutorService pool;
    private final int maxQueued;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Executor unbounded;

    private WorkPool(int threads, int maxQueued) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 1)");
        }
        this.pool = Executors.newFixedThreadPool(threads, DaemonThreads.numbered("rproxy-pull-work"));
        this.maxQueued = maxQueued;
        this.unbounded = pool::execute;
    }

    /** {@code threads} threads with at most {@code maxQueued} bounded tasks waiting. */
    static WorkPool create(int threads, int maxQueued) {
        return new WorkPool(threads, maxQueued);
    }

    /** The threads a proxy has: one per core, at least two. */
    static int threads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs {@code task} on a worker thread.
     *
     * @throws Full                       when {@code maxQueued} tasks wait already
     * @throws RejectedExecutionException when the pool is closed
     */
    @Override
    public void execute(Runnable task) {
        requireNonNull(task, "task");
        if (waiting.incrementAndGet() > maxQueued) {
            waiting.decrementAndGet();
            throw new Full(maxQueued + " tasks already wait for the pull proxy's worker threads");
        }
        try {
            pool.execute(() -> {
                waiting.decrementAndGet();
                task.run();
            });
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            throw e;
        }
    }

    /** The same threads, without the bound: for tasks bounded by construction (see the class comment). */
    Executor unbounded() {
        return unbounded;
    }

    /** Tasks given to {@link #execute} that wait now (metrics, tests). */
    int waiting() {
        return waiting.get();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.rproxy.core.concurrent.DaemonThreads;

/**
 * The threads that compute query answers, with a queue in front of them that is bounded by how
 * long its oldest query has waited. A new query is refused at once with a
 * {@link RejectedExecutionException}, which the caller answers with {@code 503} and
 * {@code Retry-After}, when the query at the head of the queue has waited longer than
 * {@code maxWait}, or when {@code maxQueued} queries wait.
 *
 * <p>Why time and not a count: a count that is right for heavy queries (a filtered cost map of
 * thousands of PIDs) sheds a flash crowd of cheap ones (a ranking of eight peers) that the
 * threads would answer within milliseconds, and a count that is right for cheap ones lets heavy
 * ones queue for minutes. The wait of the oldest query is what a client feels, whatever the mix;
 * once it passes {@code maxWait} the queue is standing, not absorbing a burst, and a node sheds
 * instead of answering everyone late (CoDel's reading of a queue). The count is the memory
 * bound behind it. Requests for prepared documents never come here, so they are answered as
 * before while queries are shed.
 *
 * <p>Thread-safe. {@link #close()} stops the threads; queries still queued are dropped, and a
 * query offered afterwards is refused.
 */
public final class QueryPool implements Executor, AutoCloseable {

    /** The longest the oldest waiting query may have waited before new ones are refused, by default. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(1);
    /** Queries that may wait per thread, by default: a memory bound, well above what {@link #DEFAULT_MAX_WAIT} lets build up. */
    public static final int QUEUE_PER_THREAD = 1024;

    private final ThreadPoolExecutor pool;
    private final long maxWaitNanos;
    private final LongSupplier nanoTime;

    private QueryPool(ThreadPoolExecutor pool, Duration maxWait, LongSupplier nanoTime) {
        this.pool = pool;
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * A pool of {@code threads} daemon threads named {@code name-N}, with at most
     * {@code maxQueued} queries waiting and none admitted once the oldest has waited
     * {@code maxWait}; {@code nanoTime} is the clock waits are measured with.
     */
    public static QueryPool create(String name, int threads, int maxQueued, Duration maxWait, LongSupplier nanoTime) {
        requireNonNull(name, "name");
        requireNonNull(maxWait, "maxWait");
        requireNonNull(nanoTime, "nanoTime");
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 1)");
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait: " + maxWait + " (expected: > 0)");
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(maxQueued), DaemonThreads.numbered(name), new ThreadPoolExecutor.AbortPolicy());
        return new QueryPool(pool, maxWait, nanoTime);
    }

    /** One thread per core (at least two), {@link #QUEUE_PER_THREAD} waiting places each, {@link #DEFAULT_MAX_WAIT}. */
    public static QueryPool perCore(String name) {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        return create(name, threads, threads * QUEUE_PER_THREAD, DEFAULT_MAX_WAIT, System::nanoTime);
    }

    /** @throws RejectedExecutionException when the oldest waiting query waited too long, the queue is full, or the pool is closed */
    @Override
    public void execute(Runnable query) {
        requireNonNull(query, "query");
        long now = nanoTime.getAsLong();
        if (pool.getQueue().peek() instanceof Waiting oldest && now - oldest.since > maxWaitNanos) {
            throw new RejectedExecutionException("the oldest waiting query has waited "
                    + TimeUnit.NANOSECONDS.toMillis(now - oldest.since) + " ms");
        }
        pool.execute(new Waiting(query, now));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** A query with the instant it was offered. */
    private record Waiting(Runnable query, long since) implements Runnable {
        @Override
        public void run() {
            query.run();
        }
    }
}

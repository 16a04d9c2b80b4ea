package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.rproxy.core.concurrent.DaemonThreads;

/**
 * The threads that compute query answers, with a bounded queue in front of them. When every
 * thread is busy and the queue is full, a new query is refused at once with a
 * {@link RejectedExecutionException}, which the caller answers with {@code 503} and
 * {@code Retry-After}: under a flood of heavy queries a node sheds them instead of queueing
 * without bound, so its memory stays bounded and requests for prepared documents, which never
 * come here, are answered as before.
 *
 * <p>Thread-safe. {@link #close()} stops the threads; queries still queued are dropped, and a
 * query offered afterwards is refused.
 */
public final class QueryPool implements Executor, AutoCloseable {

    /** Queries that may wait per thread before new ones are refused. */
    public static final int QUEUE_PER_THREAD = 64;

    private final ThreadPoolExecutor pool;

    private QueryPool(ThreadPoolExecutor pool) {
        this.pool = pool;
    }

    /** A pool of {@code threads} daemon threads named {@code name-N}, with {@code queue} places to wait. */
    public static QueryPool create(String name, int threads, int queue) {
        requireNonNull(name, "name");
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        if (queue < 1) {
            throw new IllegalArgumentException("queue: " + queue + " (expected: >= 1)");
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queue), DaemonThreads.numbered(name), new ThreadPoolExecutor.AbortPolicy());
        return new QueryPool(pool);
    }

    /** One thread per core (at least two), {@link #QUEUE_PER_THREAD} waiting places each. */
    public static QueryPool perCore(String name) {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        return create(name, threads, threads * QUEUE_PER_THREAD);
    }

    /** @throws RejectedExecutionException when the queue is full or the pool is closed */
    @Override
    public void execute(Runnable query) {
        pool.execute(requireNonNull(query, "query"));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

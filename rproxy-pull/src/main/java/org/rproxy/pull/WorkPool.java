package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.concurrent.FatalErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull proxy's worker threads ({@code rproxy-pull-work}): verifying each upstream answer
 * ({@link EntryFetch}), hashing forwarded query bodies ({@link PullService}), rebuilding the
 * local answers ({@link CurrentAnswers}) and the failover's health checks.
 *
 * <p>What waits for them is bounded. A client decides how many upstream answers come back: each
 * distinct target or query body it asks for is one more attempt, attempts go on after the client
 * has gone, and the upstream client lets thousands wait for a connection (8,000 by default). When
 * verification falls behind (large bodies, a starved CPU, an upstream answering fast) every answer that arrived
 * would wait in memory, each up to {@code upstream.max-body}. So {@link #execute} refuses a task
 * when {@code maxQueued} are waiting, with a {@link Full}; the request that needed it is answered
 * {@code 503} with {@code Retry-After} (the attempt fails like an upstream whose connections are
 * all busy; a held copy is served as on any failure) and the answer is dropped.
 *
 * <p>The task bound alone still lets {@code maxQueued} answers of {@code max-body} each wait (128
 * of 64 MB on two cores). So an upstream answer is also weighed ({@link #verify}): its body's
 * bytes are held from the moment it is received until its verification has ended, and an answer
 * that would take the bytes held past {@code maxBytes} is refused with a {@link Full} the same
 * way. {@code maxBytes} is at least one largest answer ({@code upstream.max-unverified-bytes},
 * checked by the config), so an answer always fits when none is held. The same budget weighs the
 * query bodies forwarded upstream from the start of their exchange until its answer has come
 * ({@link #holdBody}): while every connection to the upstream is busy, thousands of them may wait
 * for one (the upstream client's queue), each up to {@code max-request-body}; one that would pass
 * the budget is refused at once, and its request answered {@code 503} with {@code Retry-After}.
 *
 * <p>{@link #unbounded()} is for the tasks whose number is bounded by construction, which must not
 * be lost to a burst of the others: the rebuild of local answers (one at a time) and the health
 * checks (one per upstream per {@code health-check} period).
 *
 * <p>A fatal error ({@link FatalErrors}: out of memory verifying a large answer, say) thrown by any
 * task is logged and ends the node through the {@code Fatal} given, as on the push roles' threads:
 * the pool's plain threads died of it one by one with the JVM's own line, and the proxy went on
 * without verifying (seen for six minutes with a 4.8 MB cost map at {@code -Xmx48m}).
 *
 * <p>Thread-safe. {@link #close} stops the threads and drops what waits (a verification's result
 * fails, its bytes come back); a task offered afterwards is refused.
 */
final class WorkPool implements Executor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkPool.class);
    /** Tasks that may wait per thread, by default. */
    static final int QUEUE_PER_THREAD = 64;

    /** Refused because {@code maxQueued} tasks wait or {@code maxBytes} are held (not because the pool is closed). */
    static final class Full extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;

        Full(String message) {
            super(message);
        }
    }

    /** Refused because the pool closed: offered after {@link #close}, or queued and dropped by it. */
    static final class Stopped extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) {
            super(message);
        }
    }

    /** A task as queued: what to run, and what to do instead when {@link #close} drops it unrun. */
    private record Queued(Runnable task, Runnable onDrop) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    private final ExecutorService pool;
    private final int maxQueued;
    private final long maxBytes;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong heldBytes = new AtomicLong();
    private final Executor unbounded;
    private final FatalErrors.Fatal fatal;

    private WorkPool(int threads, int maxQueued, long maxBytes, FatalErrors.Fatal fatal) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 1)");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 1)");
        }
        this.pool = Executors.newFixedThreadPool(threads, DaemonThreads.numbered("rproxy-pull-work"));
        this.maxQueued = maxQueued;
        this.maxBytes = maxBytes;
        this.fatal = requireNonNull(fatal, "fatal");
        this.unbounded = task -> pool.execute(guarded(requireNonNull(task, "task")));
    }

    /**
     * {@code threads} threads with at most {@code maxQueued} bounded tasks waiting, and at most
     * {@code maxBytes} of upstream answers received and not yet verified.
     */
    static WorkPool create(int threads, int maxQueued, long maxBytes) {
        return create(threads, maxQueued, maxBytes, FatalErrors.EXIT);
    }

    /** As {@link #create(int, int, long)}, a fatal error going to {@code fatal} once logged (tests record it). */
    static WorkPool create(int threads, int maxQueued, long maxBytes, FatalErrors.Fatal fatal) {
        return new WorkPool(threads, maxQueued, maxBytes, fatal);
    }

    /** {@code task}, whose fatal error is logged and stops the node; anything else it throws goes on as before. */
    private Runnable guarded(Runnable task) {
        return FatalErrors.guarded(task, "pull proxy's worker", LOG, fatal);
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
        execute(requireNonNull(task, "task"), () -> { });
    }

    /** As {@link #execute(Runnable)}, with {@code onDrop} run by {@link #close} instead if it drops the task. */
    private void execute(Runnable task, Runnable onDrop) {
        if (waiting.incrementAndGet() > maxQueued) {
            waiting.decrementAndGet();
            throw new Full(maxQueued + " tasks already wait for the pull proxy's worker threads");
        }
        try {
            pool.execute(new Queued(guarded(() -> {
                waiting.decrementAndGet();
                task.run();
            }), () -> {
                waiting.decrementAndGet();
                onDrop.run();
            }));
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            throw e;
        }
    }

    /**
     * Runs {@code verification} of an upstream answer whose body has {@code bytes} on a worker
     * thread and completes {@code result} there with what it returned or threw, holding those
     * bytes against {@code maxBytes} from now until it has returned (they are given back before
     * {@code result} completes, whose dependents may hold the thread longer). When the bytes held
     * would pass {@code maxBytes}, or {@code maxQueued} tasks wait, {@code result} fails at once,
     * on the caller's thread, with a {@link Full}; when the pool is closed, with a
     * {@link RejectedExecutionException}, and when {@link #close} drops it still queued, with a
     * {@link Stopped} (on the closing thread; its bytes given back first). Never blocks. The caller attaches what follows to
     * {@code result} before it calls this, so that it runs on the worker thread.
     */
    <T> void verify(long bytes, Supplier<T> verification, CompletableFuture<T> result) {
        requireNonNull(verification, "verification");
        requireNonNull(result, "result");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
        long held = take(bytes);
        if (held >= 0) {
            result.completeExceptionally(new Full(held + " bytes of upstream answers and query bodies wait, and "
                    + bytes + " more would pass upstream.max-unverified-bytes (" + maxBytes + ")"));
            return;
        }
        try {
            execute(() -> {
                T value;
                try {
                    value = verification.get();
                } catch (RuntimeException | Error e) {
                    heldBytes.addAndGet(-bytes);
                    result.completeExceptionally(e);
                    if (FatalErrors.isFatal(e)) {
                        throw e; // to the guard, which stops the node
                    }
                    return;
                }
                heldBytes.addAndGet(-bytes);
                result.complete(value);
            }, () -> {
                heldBytes.addAndGet(-bytes);
                result.completeExceptionally(new Stopped("the pull proxy stopped before this upstream answer was verified"));
            });
        } catch (RejectedExecutionException e) {
            heldBytes.addAndGet(-bytes);
            result.completeExceptionally(e);
        }
    }

    /**
     * Holds the {@code bytes} of a query's body forwarded upstream against {@code maxBytes}, from
     * now until the caller gives them back ({@link #giveBack}) once the upstream's answer has come
     * (to be weighed by {@link #verify} in its turn) or the exchange has failed: the bodies waiting
     * for a connection to the upstream (thousands may) are held here as surely as the answers.
     * Never blocks.
     *
     * @return -1 when held, or the bytes held already when these would take them past {@code
     *         maxBytes} (nothing is held then; the query is refused)
     */
    long holdBody(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
        return take(bytes);
    }

    /** Gives back {@code bytes} held by {@link #holdBody}. */
    void giveBack(long bytes) {
        heldBytes.addAndGet(-bytes);
    }

    /**
     * Takes {@code bytes} against {@code maxBytes}: -1 when taken, else the bytes held already,
     * which these would take past it. With nothing held anything is taken, so a query body larger
     * than {@code maxBytes} (whose bound, {@code max-request-body}, is the front end's) is
     * forwarded alone; an answer is never larger ({@code max-body}, which {@code maxBytes} is at
     * least).
     */
    private long take(long bytes) {
        long held;
        do {
            held = heldBytes.get();
            if (bytes > 0 && held > 0 && held + bytes > maxBytes) {
                return held;
            }
        } while (!heldBytes.compareAndSet(held, held + bytes));
        return -1;
    }

    /**
     * Bytes of upstream answers given to {@link #verify} whose verification has not ended, and of
     * query bodies held by {@link #holdBody} (metrics, tests).
     */
    long heldBytes() {
        return heldBytes.get();
    }

    /** The most {@link #heldBytes} may be. */
    long maxBytes() {
        return maxBytes;
    }

    /** The same threads, without the bound: for tasks bounded by construction (see the class comment). */
    Executor unbounded() {
        return unbounded;
    }

    /** Tasks given to {@link #execute} that wait now (metrics, tests). */
    int waiting() {
        return waiting.get();
    }

    /**
     * Stops the threads (interrupting the tasks running) and drops the tasks still queued: a
     * verification dropped gives its bytes back and fails its result with a {@link Stopped}, so no
     * one waits for it and {@link #heldBytes} comes back to what running tasks and held bodies hold.
     */
    @Override
    public void close() {
        for (Runnable dropped : pool.shutdownNow()) {
            if (dropped instanceof Queued q) {
                q.onDrop().run();
            }
        }
    }
}

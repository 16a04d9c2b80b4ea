package org.rproxy.core.metrics;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Runs a piece of work for whoever asks, at most one run at a time and at most one waiting: a
 * request that arrives while a run is in progress gets the next run, which every request arriving
 * before it starts shares. However many requests pile up (a client pipelining thousands of
 * {@code GET /metrics}), at most two runs are in flight, each answer is computed after its
 * request arrived, and nothing queues behind them on the executor. Any thread.
 *
 * @param <T> what a run gives
 */
final class SharedRun<T> {
    private final Supplier<T> work;
    private final Executor executor;
    /** The run not yet started that requests arriving now share; null when none waits. */
    private CompletableFuture<T> next;
    private boolean running;

    SharedRun(Supplier<T> work, Executor executor) {
        this.work = requireNonNull(work, "work");
        this.executor = requireNonNull(executor, "executor");
    }

    /**
     * The result of a run that starts after this call; completed exceptionally with what the work
     * threw, or with {@link RejectedExecutionException} once the executor is shut down.
     */
    synchronized CompletableFuture<T> get() {
        if (next != null) {
            return next;
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        if (running) {
            next = f;
        } else {
            start(f);
        }
        return f;
    }

    /** Hands {@code f}'s run to the executor; with this object's lock held. */
    private void start(CompletableFuture<T> f) {
        running = true;
        try {
            executor.execute(() -> run(f));
        } catch (RejectedExecutionException e) {
            running = false;
            f.completeExceptionally(e);
        }
    }

    private void run(CompletableFuture<T> f) {
        try {
            f.complete(work.get());
        } catch (RuntimeException | Error e) {
            f.completeExceptionally(e);
        } finally {
            synchronized (this) {
                running = false;
                if (next != null) {
                    CompletableFuture<T> waiting = next;
                    next = null;
                    start(waiting);
                }
            }
        }
    }
}

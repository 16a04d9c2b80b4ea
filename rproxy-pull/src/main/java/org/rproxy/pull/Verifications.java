package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Where {@link EntryFetch} makes what it can of each upstream answer, and what weighs its
 * exchanges: on the {@link WorkPool} within its bounds (tasks waiting, and bytes of the answers
 * waiting for verification and of the query bodies sent upstream), or, in tests, on any executor
 * with no regard to bytes.
 */
interface Verifications {
    /**
     * Runs {@code verification} of an upstream answer whose body has {@code bytes} on the worker
     * threads and completes {@code result} there with what it returned or threw ({@link WorkPool#verify}).
     */
    <T> void verify(long bytes, Supplier<T> verification, CompletableFuture<T> result);

    /** See {@link WorkPool#holdBody}: -1 when held, else the bytes held already (nothing is held then). */
    long holdBody(long bytes);

    /** See {@link WorkPool#giveBack}. */
    void giveBack(long bytes);

    /** On {@code work}, within its bounds. */
    static Verifications weighed(WorkPool work) {
        requireNonNull(work, "work");
        return new Verifications() {
            @Override
            public <T> void verify(long bytes, Supplier<T> verification, CompletableFuture<T> result) {
                work.verify(bytes, verification, result);
            }

            @Override
            public long holdBody(long bytes) {
                return work.holdBody(bytes);
            }

            @Override
            public void giveBack(long bytes) {
                work.giveBack(bytes);
            }
        };
    }

    /** On {@code work}, with no regard to bytes: every body is held, nothing is counted. */
    static Verifications unweighed(Executor work) {
        requireNonNull(work, "work");
        return new Verifications() {
            @Override
            public <T> void verify(long bytes, Supplier<T> verification, CompletableFuture<T> result) {
                try {
                    work.execute(() -> {
                        try {
                            result.complete(verification.get());
                        } catch (RuntimeException | Error e) {
                            result.completeExceptionally(e);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    result.completeExceptionally(e);
                }
            }

            @Override
            public long holdBody(long bytes) {
                return -1;
            }

            @Override
            public void giveBack(long bytes) {
                // nothing was counted
            }
        };
    }
}

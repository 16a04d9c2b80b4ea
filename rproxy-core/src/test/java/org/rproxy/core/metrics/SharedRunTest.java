package org.rproxy.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class SharedRunTest {

    @Test
    void requestsWhileARunIsHeldShareTheNextRun() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SharedRun<Integer> shared = new SharedRun<>(() -> {
                int n = runs.incrementAndGet();
                if (n == 1) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return n;
            }, executor);
            CompletableFuture<Integer> first = shared.get();
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            Set<CompletableFuture<Integer>> later = new HashSet<>();
            for (int i = 0; i < 1_000; i++) {
                later.add(shared.get());
            }
            assertEquals(1, later.size(), "one waiting run, shared");
            release.countDown();
            assertEquals(1, first.get(10, TimeUnit.SECONDS));
            assertEquals(2, later.iterator().next().get(10, TimeUnit.SECONDS));
            assertEquals(3, shared.get().get(10, TimeUnit.SECONDS));
            assertEquals(3, runs.get());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aStoppedExecutorFailsTheRequest() {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.shutdownNow();
        CompletableFuture<String> f = new SharedRun<>(() -> "x", executor).get();
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertSame(RejectedExecutionException.class, e.getCause().getClass());
    }
}

package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class QueryPoolTest {

    @Test
    void aQueryBeyondTheBusyThreadsAndTheFullQueueIsRefusedAtOnce() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (QueryPool pool = QueryPool.create("test-query", 1, 2)) {
            pool.execute(() -> {
                running.countDown();
                await(release);
            });
            assertTrue(running.await(10, TimeUnit.SECONDS));
            CountDownLatch queuedRan = new CountDownLatch(2);
            pool.execute(queuedRan::countDown);
            pool.execute(queuedRan::countDown);
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
            release.countDown();
            assertTrue(queuedRan.await(10, TimeUnit.SECONDS), "the queued queries still run");
            CountDownLatch later = new CountDownLatch(1);
            pool.execute(later::countDown);
            assertTrue(later.await(10, TimeUnit.SECONDS), "room again once the queue drained");
        }
    }

    @Test
    void aClosedPoolRefuses() {
        QueryPool pool = QueryPool.create("test-query", 1, 1);
        pool.close();
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }

    @Test
    void refusesNonsenseSizes() {
        assertThrows(IllegalArgumentException.class, () -> QueryPool.create("q", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> QueryPool.create("q", 1, 0));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package org.rproxy.core.query;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class QueryPoolTest {

    private final AtomicLong now = new AtomicLong();
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    private QueryPool pool(int maxQueued) {
        return QueryPool.create("test-query", 1, maxQueued, Duration.ofSeconds(1), now::get);
    }

    /** Keeps the pool's only thread busy until {@link #release} opens. */
    private void occupy(QueryPool pool) throws InterruptedException {
        pool.execute(() -> {
            running.countDown();
            await(release);
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
    }

    @Test
    void queriesQueueWhileTheOldestHasWaitedLessThanTheLimit() throws Exception {
        try (QueryPool pool = pool(1_000)) {
            occupy(pool);
            CountDownLatch ran = new CountDownLatch(500);
            for (int i = 0; i < 500; i++) {
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(2)); // 500 offered over 998 ms after the first
                pool.execute(ran::countDown);
            }
            release.countDown();
            assertTrue(ran.await(10, TimeUnit.SECONDS), "a burst the threads work through is queued, not shed");
        }
    }

    @Test
    void onceTheOldestHasWaitedPastTheLimitNewQueriesAreRefusedUntilItRuns() throws Exception {
        try (QueryPool pool = pool(1_000)) {
            occupy(pool);
            CountDownLatch queuedRan = new CountDownLatch(2);
            pool.execute(queuedRan::countDown);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_000));
            pool.execute(queuedRan::countDown); // waited exactly the limit: still admitted
            now.addAndGet(1);
            RejectedExecutionException refused = assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
            assertTrue(refused.getMessage().contains("1000 ms"), refused.getMessage());
            release.countDown();
            assertTrue(queuedRan.await(10, TimeUnit.SECONDS), "the queued queries still run");
            assertAdmitted(pool);
        }
    }

    @Test
    void aFullQueueRefusesWhateverTheWait() throws Exception {
        try (QueryPool pool = pool(2)) {
            occupy(pool);
            CountDownLatch queuedRan = new CountDownLatch(2);
            pool.execute(queuedRan::countDown);
            pool.execute(queuedRan::countDown);
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
            release.countDown();
            assertTrue(queuedRan.await(10, TimeUnit.SECONDS));
            assertAdmitted(pool);
        }
    }

    @Test
    void aClosedPoolRefuses() {
        QueryPool pool = pool(1);
        pool.close();
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }

    @Test
    void refusesNonsenseSettings() {
        assertThrows(IllegalArgumentException.class, () -> QueryPool.create("q", 0, 1, Duration.ofSeconds(1), now::get));
        assertThrows(IllegalArgumentException.class, () -> QueryPool.create("q", 1, 0, Duration.ofSeconds(1), now::get));
        assertThrows(IllegalArgumentException.class, () -> QueryPool.create("q", 1, 1, Duration.ZERO, now::get));
    }

    /** The queue has drained (its queries were taken): the next query is admitted and runs. */
    private static void assertAdmitted(QueryPool pool) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS), "room again once the queue drained");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

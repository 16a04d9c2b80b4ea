package org.rproxy.core.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a task of a {@link GuardedThread} throws is never lost: a fatal error reaches the
 * {@link FatalErrors.Fatal} however the task was handed over, and anything else leaves the
 * thread, and a periodic task, running.
 */
class GuardedThreadTest {

    private final BlockingQueue<Throwable> stopped = new LinkedBlockingQueue<>();
    private final GuardedThread thread = new GuardedThread("guarded-test", "test", LoggerFactory.getLogger(
            GuardedThreadTest.class), (task, error) -> stopped.add(error));

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    @Test
    void anOutOfMemoryErrorGoesToTheFatalHandlerHoweverTheTaskCame() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("test");
        thread.execute(() -> {
            throw oom;
        });
        assertEquals(oom, stopped.poll(10, TimeUnit.SECONDS));
        thread.submit(() -> {
            throw oom;
        });
        assertEquals(oom, stopped.poll(10, TimeUnit.SECONDS));
        thread.schedule(() -> {
            throw oom;
        }, 1, TimeUnit.MILLISECONDS);
        assertEquals(oom, stopped.poll(10, TimeUnit.SECONDS));
        thread.submit(() -> {
            if (oom != null) {
                throw oom;
            }
            return 1;
        });
        assertEquals(oom, stopped.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void anExceptionOrAStackOverflowIsLoggedAndThePeriodicTaskRunsOn() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(3);
        thread.scheduleWithFixedDelay(() -> {
            third.countDown();
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("test");
            }
            throw new StackOverflowError("test");
        }, 0, 1, TimeUnit.MILLISECONDS);
        assertTrue(third.await(10, TimeUnit.SECONDS), "the periodic task stopped after it threw");
        assertNull(stopped.poll(), "not fatal");
    }
}

package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * Closing the work pool drops what still waits, and nothing is left hanging: each verification
 * dropped fails its result with {@link WorkPool.Stopped} (the attempt ends as "stopping") and gives
 * its bytes back; none of the dropped tasks runs.
 */
class WorkPoolCloseTest {

    @Test
    void queuedVerificationsFailWithStoppedAndGiveTheirBytesBackWhenThePoolCloses() throws Exception {
        WorkPool work = WorkPool.create(1, 8, 1_000_000);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        work.execute(() -> { // holds the only thread until close interrupts it
            busy.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertTrue(busy.await(30, TimeUnit.SECONDS));
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        work.verify(300, () -> "verified " + ran.incrementAndGet(), first);
        work.verify(200, () -> "verified " + ran.incrementAndGet(), second);
        assertEquals(500, work.heldBytes());
        assertEquals(2, work.waiting());

        work.close();

        for (CompletableFuture<String> dropped : List.of(first, second)) {
            assertTrue(dropped.isDone(), "a dropped verification's result is completed by close");
            ExecutionException e = assertThrows(ExecutionException.class, dropped::get);
            assertInstanceOf(WorkPool.Stopped.class, e.getCause());
        }
        assertEquals(0, work.heldBytes(), "the dropped verifications' bytes are given back");
        assertEquals(0, work.waiting());
        assertTrue(interrupted.await(30, TimeUnit.SECONDS));
        assertEquals(0, ran.get(), "no dropped verification ran");
        CompletableFuture<String> late = new CompletableFuture<>();
        work.verify(100, () -> "late", late);
        assertInstanceOf(RejectedExecutionException.class,
                assertThrows(ExecutionException.class, late::get).getCause());
        assertEquals(0, work.heldBytes());
    }
}

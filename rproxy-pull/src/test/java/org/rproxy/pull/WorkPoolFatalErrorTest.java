package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.concurrent.FatalErrors;

/**
 * An error the JVM cannot be trusted after, thrown by any task of the pull proxy's worker threads,
 * reaches the pool's {@link FatalErrors.Fatal} (in service the process ends with status 1): a
 * verification that ran out of memory, a bounded task, an unbounded one. Before, each killed its
 * thread with the JVM's own line only and the proxy went on without its verifications (seen for
 * six minutes at {@code -Xmx48m} with a 4.8 MB cost map). Anything else goes on as it did.
 */
class WorkPoolFatalErrorTest {
    private final List<Throwable> stopped = new CopyOnWriteArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final WorkPool work = WorkPool.create(1, 8, 1_000_000, (task, error) -> {
        stopped.add(error);
        stop.countDown();
    });

    @AfterEach
    void close() {
        work.close();
    }

    @Test
    void aVerificationOutOfMemoryStopsTheNodeAndFailsItsResult() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space (test)");
        CompletableFuture<String> result = new CompletableFuture<>();
        work.verify(1000, () -> {
            throw oom;
        }, result);
        assertTrue(stop.await(30, TimeUnit.SECONDS), "the node is stopped");
        assertEquals(List.of(oom), stopped);
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
        assertEquals(oom, e.getCause());
        assertEquals(0, work.heldBytes(), "its bytes are given back");
    }

    @Test
    void aBoundedTaskOutOfMemoryStopsTheNode() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space (test)");
        work.execute(() -> {
            throw oom;
        });
        assertTrue(stop.await(30, TimeUnit.SECONDS), "the node is stopped");
        assertEquals(List.of(oom), stopped);
    }

    @Test
    void anUnboundedTaskOutOfMemoryStopsTheNode() throws Exception {
        InternalError internal = new InternalError("test");
        work.unbounded().execute(() -> {
            throw internal;
        });
        assertTrue(stop.await(30, TimeUnit.SECONDS), "the node is stopped");
        assertEquals(List.of(internal), stopped);
    }

    @Test
    void otherFailuresDoNotStopTheNodeAndTheThreadsGoOn() throws Exception {
        CompletableFuture<String> failed = new CompletableFuture<>();
        work.verify(10, () -> {
            throw new IllegalStateException("not verified (test)");
        }, failed);
        work.execute(() -> {
            throw new StackOverflowError("test: the thread is whole once unwound");
        });
        CompletableFuture<String> after = new CompletableFuture<>();
        work.verify(10, () -> "verified", after);
        assertEquals("verified", after.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class,
                assertThrows(ExecutionException.class, () -> failed.get(30, TimeUnit.SECONDS)).getCause());
        assertEquals(List.of(), stopped);
    }
}

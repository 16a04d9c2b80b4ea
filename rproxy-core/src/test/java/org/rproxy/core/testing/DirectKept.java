package org.rproxy.core.testing;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How much JDK direct memory a piece of work leaves behind on the thread that ran it: the work runs
 * on a new thread, and the JDK's direct pool is read while that thread still lives (what the JDK
 * caches per thread, such as the temporary buffers of channel writes, goes when the thread ends).
 */
public final class DirectKept {
    private DirectKept() {
    }

    /** What {@code work} returned and the growth of the JDK's direct pool while its thread lives. */
    public record Result<T>(T value, long grownBytes) {
    }

    public static long jdkDirectBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow().getMemoryUsed();
    }

    public static <T> Result<T> byWorkOnItsOwnThread(Callable<T> work) throws Exception {
        CountDownLatch measured = new CountDownLatch(1);
        CompletableFuture<T> done = new CompletableFuture<>();
        long before = jdkDirectBytes();
        Thread worker = new Thread(() -> {
            try {
                done.complete(work.call());
                measured.await();
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "direct-kept-worker");
        worker.start();
        try {
            T value = done.get(60, TimeUnit.SECONDS);
            return new Result<>(value, jdkDirectBytes() - before);
        } finally {
            measured.countDown();
            worker.join(10_000);
        }
    }
}

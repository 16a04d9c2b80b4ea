package org.rproxy.core.testing;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * What the connections of a test hold in buffers from an {@link UnpooledByteBufAllocator} made
 * for them (one that counts exactly: {@code new UnpooledByteBufAllocator(true)}), and bounded
 * waits for that count. A connection closes and releases on its own event loop, after whatever
 * the test awaited, and the allocator announces nothing: the waits poll it, every 5 ms, for at
 * most 10 s, and return either way; the caller asserts what it expects of the count.
 */
public final class HeldBytes {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private HeldBytes() {
    }

    /** The bytes {@code alloc}'s buffers hold now, direct and heap. */
    public static long held(UnpooledByteBufAllocator alloc) {
        return alloc.metric().usedDirectMemory() + alloc.metric().usedHeapMemory();
    }

    /** Waits until {@code alloc}'s buffers hold something (a connection took in what it was sent). */
    public static void awaitSome(UnpooledByteBufAllocator alloc) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (held(alloc) == 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
    }

    /** Waits until {@code alloc}'s buffers hold nothing (every connection gave its buffers back). */
    public static void awaitNone(UnpooledByteBufAllocator alloc) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (held(alloc) != 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
    }
}

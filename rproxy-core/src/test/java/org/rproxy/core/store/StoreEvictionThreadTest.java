package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocalThread;

import org.junit.jupiter.api.Test;

/**
 * Evictions, and what they set off (the spool letting go, the listeners: metrics, the pull feed's
 * bookkeeping), never run on a thread that only reads the store, as the front end's event loops do:
 * Caffeine runs its maintenance when a read fills its read buffer, and that maintenance evicts.
 */
class StoreEvictionThreadTest {

    @Test
    void evictionsAreHeardOnTheWritingThreadNeverOnAnEventLoopThatReads() throws Exception {
        RepresentationStore<Integer> store = RepresentationStore.boundedBy(64 * 1024);
        Set<String> heardOn = ConcurrentHashMap.newKeySet();
        AtomicInteger onLoops = new AtomicInteger();
        AtomicInteger evictions = new AtomicInteger();
        store.addListener((k, r, change) -> {
            if (change == StoreListener.Change.EVICTED) {
                evictions.incrementAndGet();
                heardOn.add(Thread.currentThread().getName());
                if (Thread.currentThread() instanceof FastThreadLocalThread) { // Netty's event loop threads
                    onLoops.incrementAndGet();
                }
            }
        });
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> readers = new ArrayList<>();
        try {
            for (int l = 0; l < 2; l++) {
                EventLoop loop = loops.next();
                // Reads as fast as a loop serving lookups can: every read fills Caffeine's read buffer.
                readers.add(loop.submit(() -> {
                    while (!stop.get()) {
                        for (int i = 0; i < 64; i++) {
                            store.get(i);
                        }
                    }
                }));
            }
            String writer = Thread.currentThread().getName();
            // Most puts evict (16 fit, 64 keys go round); before the fix about one eviction in two
            // hundred ran on a reading loop, so 50,000 puts meet it many times over.
            for (int i = 0; i < 50_000 && onLoops.get() == 0; i++) {
                store.put(i % 64, RepresentationStoreTest.rep(4096));
            }
            stop.set(true);
            for (Future<?> r : readers) {
                r.get(30, TimeUnit.SECONDS);
            }
            assertEquals(0, onLoops.get(), "evictions heard on event loops; heard on " + heardOn);
            assertEquals(Set.of(writer), heardOn);
            assertTrue(evictions.get() > 10_000, "evictions: " + evictions.get());
        } finally {
            stop.set(true);
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}

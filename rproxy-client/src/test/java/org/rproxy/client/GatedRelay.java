package org.rproxy.client;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay in front of a real server ({@link LoopbackRelay}) that holds back the answer to each
 * subscription (a connection that sent a {@code POST}) until the test lets that one through by
 * its number ({@link #release(int)}, 1 for the first {@code POST} the relay saw), so that a test
 * decides in which order two subscriptions under way are answered. Counts the connections open
 * through it.
 */
final class GatedRelay extends LoopbackRelay<CountDownLatch[]> {
    private static final int MAX_POSTS = 16;

    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    GatedRelay(int targetPort) throws IOException {
        super("gated-relay", targetPort);
        for (int i = 0; i < MAX_POSTS; i++) {
            gates.add(new CountDownLatch(1));
        }
    }

    /** Waits (30 s at most) until {@code n} connections have sent a {@code POST}. */
    void awaitPosts(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (posts) {
            while (posts.get() < n) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(posts.get() + " POSTs through the relay within 30 s, not " + n);
                }
                posts.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
    }

    /** Lets the answer to the {@code n}th {@code POST} through (1 for the first). */
    void release(int n) {
        gates.get(n - 1).countDown();
    }

    /** Client connections open through the relay now. */
    int openConnections() {
        return open.get();
    }

    @Override
    CountDownLatch[] opened() {
        open.incrementAndGet();
        return new CountDownLatch[1];
    }

    @Override
    void requested(CountDownLatch[] gate, byte[] buf, int n) {
        if (holdsPost(buf, n)) {
            synchronized (posts) {
                gate[0] = gates.get(Math.min(posts.getAndIncrement(), MAX_POSTS - 1));
                posts.notifyAll();
            }
        }
    }

    @Override
    void answering(CountDownLatch[] gate) throws InterruptedException {
        CountDownLatch g;
        synchronized (posts) {
            g = gate[0];
        }
        if (g != null) {
            g.await();
        }
    }

    @Override
    void ended(CountDownLatch[] gate) {
        open.decrementAndGet();
    }

    @Override
    void closing() {
        gates.forEach(CountDownLatch::countDown);
    }
}

package org.rproxy.client;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on an ephemeral loopback port in front of a real server, for a source that holds an
 * update stream back: every byte goes through as it comes, except the answer on a connection that
 * has sent a {@code POST} (a subscription: on HTTP/1.1 the last request of its connection, since
 * the stream never ends), which waits until {@link #release()}. So the test decides what happens
 * between a subscription being sent and its answer being read, without sleeps.
 */
final class HoldingRelay extends LoopbackRelay<boolean[]> {
    private final CountDownLatch posted = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Relays to the port {@link #relayTo} sets; connections before that are dropped. */
    HoldingRelay() throws IOException {
        super("holding-relay", 0);
    }

    /** Waits (30 s at most) until a connection has sent a {@code POST}, whose answer is now held back. */
    void awaitPost() throws InterruptedException {
        if (!posted.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no POST through the relay within 30 s");
        }
    }

    /** Lets the answers held back, and all that follow, through. */
    void release() {
        released.countDown();
    }

    @Override
    boolean[] opened() {
        return new boolean[1];
    }

    @Override
    void requested(boolean[] holding, byte[] buf, int n) {
        if (holdsPost(buf, n)) {
            synchronized (holding) {
                holding[0] = true; // before the POST goes on: its answer comes after
            }
            posted.countDown();
        }
    }

    @Override
    void answering(boolean[] holding) throws InterruptedException {
        boolean hold;
        synchronized (holding) {
            hold = holding[0];
        }
        if (hold) {
            released.await();
        }
    }

    @Override
    void closing() {
        released.countDown();
    }
}

package org.rproxy.origin;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.UpdateStreamMount;
import org.rproxy.core.store.Representation;

/**
 * An update stream mount that keeps the origin's publisher busy: the publisher hands each
 * version to the stream on its own thread, and every hand-over after the first (the start's) is
 * held here until {@link #release}. What each held version serves is given to {@code seen} first.
 */
final class HeldPublisher implements UpdateStreamMount {
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch busy = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Consumer<Map<String, Representation>> seen;

    HeldPublisher(Consumer<Map<String, Representation>> seen) {
        this.seen = seen;
    }

    @Override
    public String path() {
        return "/updates";
    }

    @Override
    public AltoService wrap(AltoService documents) {
        return documents;
    }

    @Override
    public void installed(Map<String, Representation> documents) {
        if (started.compareAndSet(false, true)) {
            return;
        }
        seen.accept(documents);
        busy.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a version after the first came within {@code within}, the publisher now held. */
    boolean awaitBusy(Duration within) throws InterruptedException {
        return busy.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the publisher go on, now and for every version after. */
    void release() {
        release.countDown();
    }
}

package org.rproxy.core.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the connections being served by one server (or another of its places: the HTTP/2
 * streams whose request is unfinished, {@link UnfinishedRequest}), so that one past the limit is
 * refused instead of degrading everyone's. Shared by all event loops; lock-free.
 */
final class ConnectionLimit {

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
    }

    /** Takes a place; false, taking none, when all are taken. */
    boolean tryAcquire() {
        while (true) {
            int n = open.get();
            if (n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }
}

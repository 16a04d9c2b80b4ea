package org.rproxy.core.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The request-body bytes one server may hold at once while bodies arrive, over all its
 * connections, HTTP/1.1 and HTTP/2 alike ({@link FrontEndConfig#maxBodyBytesHeld}): every
 * {@link BodyBudget} takes its bytes from it as well as from its connection's own bound, so ten
 * thousand connections each with a body in progress cannot hold more than this between them. A
 * body that would take the node past it is answered 503 ({@code Retry-After}), and the bodies
 * within it go on. Counts the arrays actually allocated, not the lengths declared, and the
 * bodies refused for want of room, by this bound or a connection's. Shared by all event loops;
 * lock-free.
 */
final class NodeBodyBudget {

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    private final LongAdder refused = new LongAdder();

    NodeBodyBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
        }
        this.limit = limit;
    }

    /** Takes {@code bytes} more; false (and nothing taken) when that would pass the limit. */
    boolean take(int bytes) {
        while (true) {
            long h = held.get();
            if (bytes > limit - h) {
                return false;
            }
            if (held.compareAndSet(h, h + bytes)) {
                return true;
            }
        }
    }

    /** Gives back {@code bytes} taken before. */
    void giveBack(int bytes) {
        held.addAndGet(-bytes);
    }

    /** Whether nothing more can be taken: a body starting now would be refused at its first byte. */
    boolean spent() {
        return held.get() >= limit;
    }

    /** Counts a body answered 503 because this bound or its connection's had no room for it. */
    void countRefused() {
        refused.increment();
    }

    /** The bodies refused so far for want of room, by either bound. */
    long refused() {
        return refused.sum();
    }

    long held() {
        return held.get();
    }

    long limit() {
        return limit;
    }
}

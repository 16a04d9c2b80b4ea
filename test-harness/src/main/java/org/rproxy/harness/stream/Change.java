package org.rproxy.harness.stream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

/**
 * One change of the timed document followed to every subscriber: when each first applied (and
 * verified) a version other than the one all held before. Subscribers write their own slot on
 * their event loop; the scenario reads after {@link #await}, which orders those writes before its
 * reads (the latch).
 */
public final class Change {
    private final String from;
    private final long[] at;
    private final CountDownLatch waiting;
    private final AtomicReference<String> tag = new AtomicReference<>();

    Change(String from, int size) {
        this.from = requireNonNull(from, "from");
        this.at = new long[size];
        this.waiting = new CountDownLatch(size);
    }

    void applied(int index, String newTag, long nanos) {
        if (newTag == null || newTag.equals(from) || at[index] != 0) {
            return;
        }
        tag.compareAndSet(null, newTag);
        at[index] = nanos;
        waiting.countDown();
    }

    /** Waits until every subscriber applied the change or {@code limit} passed; how many did. */
    public int await(Duration limit) throws InterruptedException {
        waiting.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        return at.length - (int) waiting.getCount();
    }

    /** The new tag (the first one applied), or null. */
    public String tag() {
        return tag.get();
    }

    /** Adds, in microseconds, the time from {@code writtenNanos} to each subscriber's applying it. */
    public void recordInto(long writtenNanos, Histogram... into) {
        for (long t : at) {
            if (t != 0) {
                long micros = Math.max(0, (t - writtenNanos) / 1_000);
                for (Histogram h : into) {
                    h.recordValue(Math.min(micros, h.getHighestTrackableValue()));
                }
            }
        }
    }
}

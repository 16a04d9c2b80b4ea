package org.rproxy.client;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What an {@link UpdateFollower} did with the updates its streams sent, counted since it started:
 * those rebuilt and checked against their signature events (taken or refused), and those that
 * repeated the signing of the version held (a replaying source), dropped before anything was
 * rebuilt or checked. Live counters: read them from any thread.
 */
public final class UpdateCounts {
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong repeated = new AtomicLong();

    UpdateCounts() {
    }

    /** {@return the updates rebuilt and checked against their signature events, taken or refused} */
    public long checked() {
        return checked.get();
    }

    /** {@return the updates that repeated the signing of the version held, dropped unrebuilt and unchecked} */
    public long repeated() {
        return repeated.get();
    }

    /** {@code checked N, repeated M}: for a log line or a status page. */
    @Override
    public String toString() {
        return "checked " + checked() + ", repeated " + repeated();
    }

    void checkedOne() {
        checked.incrementAndGet();
    }

    void repeatedOne() {
        repeated.incrementAndGet();
    }
}

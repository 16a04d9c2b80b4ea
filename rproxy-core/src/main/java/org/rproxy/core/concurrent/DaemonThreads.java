package org.rproxy.core.concurrent;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the worker threads every role starts: daemon threads (a stopping JVM
 * never waits for a worker; each component's {@code close()} stops its own), named so that a
 * thread dump says which pool a thread belongs to (the names are listed in
 * {@code ARCHITECTURE.md} §5).
 */
public final class DaemonThreads {

    /** Threads named {@code name-1}, {@code name-2}, ... in the order they are made. */
    public static ThreadFactory numbered(String name) {
        requireNonNull(name, "name");
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, name + "-" + n.incrementAndGet());
    }

    /** Threads all named {@code name}: for an executor that only ever has one. */
    public static ThreadFactory named(String name) {
        requireNonNull(name, "name");
        return r -> daemon(r, name);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private DaemonThreads() {
    }
}

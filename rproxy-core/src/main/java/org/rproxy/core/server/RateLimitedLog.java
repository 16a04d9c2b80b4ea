package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Writes a warning or error at most once per interval for each message format, and counts the
 * ones held back in between: the next one written says how many there were. A fault that hits
 * every request or connection (a broken service, a flood of bad TLS clients) then costs a line
 * every interval instead of a stack trace per event, and the count still tells how often it
 * happened. A logger and a format make one kind: formats must be constants (they key the
 * state, so their number bounds it); a trailing {@link Throwable} argument is logged as such. Shared by every event loop of a server:
 * thread-safe and lock-free (two threads racing at the end of an interval may both write).
 */
public final class RateLimitedLog {

    private final long intervalMillis;
    private final Clock clock;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    /** One kind's interval: when the next line may be written, and what was held back since the last. */
    private static final class Window {
        final AtomicLong nextMillis = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong heldBack = new AtomicLong();
    }

    public RateLimitedLog(Duration interval, Clock clock) {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        this.intervalMillis = interval.toMillis();
        this.clock = requireNonNull(clock, "clock");
    }

    /** Writes at WARN unless this kind was written less than an interval ago; true when written. */
    public boolean warn(Logger log, String format, Object... args) {
        if (!log.isWarnEnabled()) {
            return false;
        }
        Object[] a = admit(log, format, args);
        if (a == null) {
            return false;
        }
        log.warn(a.length == args.length ? format : format + " ({} more like this not logged)", a);
        return true;
    }

    /** Writes at ERROR unless this kind was written less than an interval ago; true when written. */
    public boolean error(Logger log, String format, Object... args) {
        if (!log.isErrorEnabled()) {
            return false;
        }
        Object[] a = admit(log, format, args);
        if (a == null) {
            return false;
        }
        log.error(a.length == args.length ? format : format + " ({} more like this not logged)", a);
        return true;
    }

    /** The arguments to write (with the held-back count when there is one), or null to hold this one back. */
    private Object[] admit(Logger log, String format, Object[] args) {
        requireNonNull(format, "format");
        Window w = windows.computeIfAbsent(log.getName() + ' ' + format, k -> new Window());
        long now = clock.millis();
        long next = w.nextMillis.get();
        if ((next != Long.MIN_VALUE && now < next) || !w.nextMillis.compareAndSet(next, now + intervalMillis)) {
            w.heldBack.incrementAndGet();
            return null;
        }
        long held = w.heldBack.getAndSet(0);
        return held == 0 ? args : withCount(args, held);
    }

    /** {@code args} with {@code count} added for the extra placeholder, before a trailing throwable. */
    private static Object[] withCount(Object[] args, long count) {
        Object[] a = new Object[args.length + 1];
        boolean thrown = args.length > 0 && args[args.length - 1] instanceof Throwable;
        int at = thrown ? args.length - 1 : args.length;
        System.arraycopy(args, 0, a, 0, at);
        a[at] = count;
        if (thrown) {
            a[args.length] = args[args.length - 1];
        }
        return a;
    }
}

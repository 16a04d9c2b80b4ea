package org.rproxy.core.log;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * Writes a warning or error at most once per interval for each message format, and counts the
 * ones held back in between: the next one written says how many there were. A fault that hits
 * every request or connection (a broken service, a flood of bad TLS clients) then costs a line
 * every interval instead of a stack trace per event, and the count still tells how often it
 * happened. A logger and a format make one kind: formats must be constants (they key the
 * state, so their number bounds it); a trailing {@link Throwable} argument is logged as such.
 * A kind of line about many subjects (a peer, a publisher: {@link #warnAbout}, {@link #admit})
 * has an interval per subject, so that one noisy subject does not hide the others; the
 * subjects tracked are bounded (past the bound, those whose interval has passed are forgotten
 * first). Shared by every event loop of a server:
 * thread-safe and lock-free (two threads racing at the end of an interval may both write).
 */
public final class RateLimitedLog {
    /** The subjects tracked at most, unless told otherwise. */
    public static final int SUBJECTS = 1024;

    private final long intervalNanos;
    private final LongSupplier ticker;
    private final int maxSubjects;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Window> subjects = new ConcurrentHashMap<>();

    /** One kind's interval: when the next line may be written, and what was held back since the last. */
    private static final class Window {
        final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong heldBack = new AtomicLong();

        /** Whether a line may be written at {@code now}: none yet, or its interval passed. */
        boolean open(long now) {
            long next = nextNanos.get();
            return next == Long.MIN_VALUE || now - next >= 0;
        }
    }

    /**
     * Intervals told by {@link System#nanoTime}, tracking at most {@link #SUBJECTS} subjects. Never
     * a wall clock: one stepped back by an hour would hold every kind back for that hour, and one
     * stepped forward would let a line through early.
     */
    public RateLimitedLog(Duration interval) {
        this(interval, System::nanoTime, SUBJECTS);
    }

    /**
     * Intervals told by {@code nanoTicker} (nanoseconds, monotonic, as {@link System#nanoTime};
     * tests move their own), tracking at most {@code maxSubjects} subjects.
     */
    public RateLimitedLog(Duration interval, LongSupplier nanoTicker, int maxSubjects) {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        if (maxSubjects < 1) {
            throw new IllegalArgumentException("maxSubjects: " + maxSubjects + " (expected: > 0)");
        }
        this.intervalNanos = interval.toNanos();
        this.ticker = requireNonNull(nanoTicker, "nanoTicker");
        this.maxSubjects = maxSubjects;
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

    /**
     * Writes at WARN unless a line of this kind about {@code subject} was written less than an
     * interval ago (each subject has its own interval); true when written. The count held back is
     * that subject's, worded as {@link #warn}'s.
     */
    public boolean warnAbout(Logger log, Object subject, String format, Object... args) {
        if (!log.isWarnEnabled()) {
            return false;
        }
        long held = admit(log, format, subject);
        if (held < 0) {
            return false;
        }
        log.warn(held == 0 ? format : format + " ({} more like this not logged)", held == 0 ? args : withCount(args, held));
        return true;
    }

    /**
     * Admits a line of this kind ({@code log} and {@code format}) about {@code subject}, for a
     * caller that writes it itself and words the count its own way: the number of that subject's
     * lines held back since the last one admitted (0 or more) when one may be written now, else
     * -1 (this one is held back, and counted). Counts whatever the logger's level.
     */
    public long admit(Logger log, String format, Object subject) {
        requireNonNull(format, "format");
        String key = log.getName() + ' ' + format + ' ' + subject;
        long now = ticker.getAsLong();
        Window w = subjects.get(key);
        if (w == null) {
            if (subjects.size() >= maxSubjects) {
                forgetSubjects(now);
            }
            w = subjects.computeIfAbsent(key, k -> new Window());
        }
        return admit(w, now);
    }

    /** Forgets the subjects whose interval has passed, and then, while still at the bound, any. */
    private void forgetSubjects(long now) {
        subjects.values().removeIf(w -> w.open(now));
        var it = subjects.keySet().iterator();
        while (subjects.size() >= maxSubjects && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** The arguments to write (with the held-back count when there is one), or null to hold this one back. */
    private Object[] admit(Logger log, String format, Object[] args) {
        requireNonNull(format, "format");
        long held = admit(windows.computeIfAbsent(log.getName() + ' ' + format, k -> new Window()), ticker.getAsLong());
        return held < 0 ? null : held == 0 ? args : withCount(args, held);
    }

    /** The count held back in {@code w} when a line may be written at {@code now} (and the next interval starts), else -1. */
    private long admit(Window w, long now) {
        long next = w.nextNanos.get();
        if (!w.open(now) || !w.nextNanos.compareAndSet(next, now + intervalNanos)) {
            w.heldBack.incrementAndGet();
            return -1;
        }
        return w.heldBack.getAndSet(0);
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

package org.rproxy.core.concurrent;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;

/**
 * A component's own single thread (a scheduled executor of one daemon thread) on which nothing a
 * task throws goes unseen. A plain executor keeps what a task throws in a future nobody reads, an
 * {@link Error} included: an {@link OutOfMemoryError} in the push feed's thread left the proxy
 * running with a feed that was no longer whole. Here every task, handed over in any way
 * ({@code execute}, {@code submit}, {@code schedule...}, or as the executor of a JDK
 * {@code HttpClient} or a {@code ...Async} stage), runs guarded: a fatal error
 * ({@link FatalErrors#isFatal}) is logged and goes to the {@link FatalErrors.Fatal} given (in
 * service, {@link FatalErrors#EXIT}: the process ends with status 1); anything else a task throws
 * is logged, and the thread, and a periodic task, go on.
 */
public final class GuardedThread extends ScheduledThreadPoolExecutor {

    private final String owner;
    private final Logger log;
    private final FatalErrors.Fatal fatal;

    /**
     * @param name  the thread's name (listed in {@code ARCHITECTURE.md} §5)
     * @param owner names the component in the log ("push feed")
     * @param log   where failures are logged
     * @param fatal what follows a fatal error, once logged
     */
    public GuardedThread(String name, String owner, Logger log, FatalErrors.Fatal fatal) {
        super(1, DaemonThreads.named(name));
        this.owner = requireNonNull(owner, "owner");
        this.log = requireNonNull(log, "log");
        this.fatal = requireNonNull(fatal, "fatal");
    }

    // execute and submit come here too (ScheduledThreadPoolExecutor hands them to schedule)
    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return super.schedule(guarded(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        requireNonNull(callable, "callable");
        return super.schedule(() -> {
            try {
                return callable.call();
            } catch (Error e) {
                if (FatalErrors.isFatal(e)) {
                    fatal(e);
                }
                throw e; // anything else is the caller's, in the future it holds
            }
        }, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return super.scheduleAtFixedRate(guarded(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return super.scheduleWithFixedDelay(guarded(command), initialDelay, delay, unit);
    }

    private Runnable guarded(Runnable command) {
        requireNonNull(command, "command");
        return () -> {
            try {
                command.run();
            } catch (Throwable t) {
                if (FatalErrors.isFatal(t)) {
                    fatal(t);
                } else {
                    log.error("{} task failed", owner, t);
                }
            }
        };
    }

    private void fatal(Throwable t) {
        try {
            log.error("{} task failed with {}: the JVM cannot be trusted after it; stopping the node (exit status {})"
                    + " so that the service manager starts it afresh", owner, t.toString(), FatalErrors.EXIT_STATUS, t);
        } catch (Throwable ignored) {
            // no memory left to log with: stop all the same
        } finally {
            fatal.stop(owner, t);
        }
    }
}

package org.rproxy.core.concurrent;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;

/**
 * The one rule, for every role, on errors after which the JVM cannot be trusted: a
 * {@link VirtualMachineError} (an {@link OutOfMemoryError} above all, an internal error), but not
 * a {@link StackOverflowError}, which leaves the thread that overflowed as it was once unwound.
 * A node that caught one and went on would serve, and follow, maps it can no longer keep
 * current, with other threads failing at random; so it is logged and the process ends at once
 * with {@value #EXIT_STATUS} ({@link #EXIT}), and the service manager (the packaged unit's
 * {@code Restart=on-failure}) starts it afresh. Shutdown hooks are not run: they may not finish
 * without memory. The origin's {@code TaskGuard} and the push roles' {@link GuardedThread} follow it.
 */
public final class FatalErrors {

    /** The exit status of a node stopped by a fatal error. */
    public static final int EXIT_STATUS = 1;

    /** What is done after a fatal error has been logged (tests record it instead). */
    @FunctionalInterface
    public interface Fatal {
        void stop(String task, Throwable error);
    }

    /** Ends the process at once, with {@link #EXIT_STATUS}. */
    public static final Fatal EXIT = (task, error) -> Runtime.getRuntime().halt(EXIT_STATUS);

    private FatalErrors() {
    }

    /**
     * {@code task}, which when it throws a fatal error logs it as {@code owner}'s and hands it to
     * {@code fatal} (then rethrows it, should {@code fatal} return); anything else it throws passes
     * as it is. For a pool's plain threads, whose task runner would only print the error and let
     * the thread die.
     */
    public static Runnable guarded(Runnable task, String owner, Logger log, Fatal fatal) {
        requireNonNull(task, "task");
        requireNonNull(owner, "owner");
        requireNonNull(log, "log");
        requireNonNull(fatal, "fatal");
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                if (isFatal(t)) {
                    try {
                        log.error("{} task failed with {}: the JVM cannot be trusted after it; stopping the node"
                                + " (exit status {}) so that the service manager starts it afresh", owner, t.toString(),
                                EXIT_STATUS, t);
                    } catch (Throwable ignored) {
                        // no memory left to log with: stop all the same
                    } finally {
                        fatal.stop(owner, t);
                    }
                }
                throw t;
            }
        };
    }

    /** Whether the JVM cannot be trusted after {@code t}. */
    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }
}

package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.concurrent.FatalErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the origin's background work so that nothing it throws stops it silently: the publisher's
 * periodic task (reading the keys file), re-signing (which schedules itself, {@link Resigning},
 * and retries a failure within seconds), publishing changed maps, each round of the maps watcher,
 * and each poll of the signing front ({@link SourcePolls}, reading the maps again). A periodic task that throws is never run again by its
 * executor, and nothing logs it (the executor keeps the throwable in a future nobody reads): one
 * {@link Error} out of a load stopped the signing front following its upstream for good, and one
 * out of re-signing let every document expire. Here everything is caught and logged, and the task
 * runs again at its next turn.
 *
 * <p>The exception is an error after which the JVM cannot be trusted, an
 * {@link OutOfMemoryError} above all: the node would go on serving, and re-signing, maps it can
 * no longer follow, with other threads failing at random. That is logged, and {@link Fatal} is
 * called, which in a running node ({@link #EXIT}) ends the process at once with status
 * {@value #EXIT_STATUS}, so that the service manager (the packaged unit's
 * {@code Restart=on-failure}) starts it afresh; shutdown hooks are not run, since they may not
 * finish without memory. This class decides it for the origin, by the rule of
 * {@link FatalErrors}, which the push roles' threads follow too.
 */
final class TaskGuard {
    private static final Logger log = LoggerFactory.getLogger(Origin.class);

    /** The exit status of a node stopped by a fatal error. */
    static final int EXIT_STATUS = FatalErrors.EXIT_STATUS;

    /** What is done after a fatal error has been logged. */
    @FunctionalInterface
    interface Fatal {
        void stop(String task, Throwable error);
    }

    /** Ends the process at once, with {@link #EXIT_STATUS}. */
    static final Fatal EXIT = FatalErrors.EXIT::stop;

    /** The guard of a running node: a fatal error ends the process. */
    static final TaskGuard EXITING = new TaskGuard(EXIT);

    private final Fatal fatal;

    TaskGuard(Fatal fatal) {
        this.fatal = requireNonNull(fatal, "fatal");
    }

    /** {@code body}, run under this guard; {@code task} names it in the log ("re-signing"). */
    Runnable guard(String task, Runnable body) {
        requireNonNull(task, "task");
        requireNonNull(body, "body");
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failed(task, t);
            }
        };
    }

    /** Logs what {@code task} threw; a fatal error then goes to {@link Fatal}. */
    void failed(String task, Throwable t) {
        if (!isFatal(t)) {
            log.error("{} failed, and runs again at its next turn: {}", task, t.toString(), t);
            return;
        }
        try {
            log.error("{} failed with {}: the JVM cannot be trusted after it; stopping the node (exit status {}) so that"
                    + " the service manager starts it afresh, rather than serving maps it can no longer follow or sign",
                    task, t.toString(), EXIT_STATUS, t);
        } catch (Throwable ignored) {
            // no memory left to log with: stop all the same
        } finally {
            fatal.stop(task, t);
        }
    }

    /** Whether the JVM cannot be trusted after {@code t}: {@link FatalErrors#isFatal}, the rule every role follows. */
    static boolean isFatal(Throwable t) {
        return FatalErrors.isFatal(t);
    }
}

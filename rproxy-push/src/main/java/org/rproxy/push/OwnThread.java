package org.rproxy.push;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;

/**
 * Hands a task to the single thread that owns a push component's state (the feed's, the
 * publisher's): a task that fails with an exception is logged and does not kill the thread; an
 * {@link Error} goes on to the thread's own guard ({@link org.rproxy.core.concurrent.GuardedThread}),
 * which ends the process after one the JVM cannot be trusted after; a task handed over after the
 * component stopped is dropped. Work that completes elsewhere (an HTTP exchange) comes back to
 * the thread through here, not through a {@code ...Async} stage, which would keep an error in a
 * future nobody reads.
 */
final class OwnThread {

    private OwnThread() {
    }

    static void run(Executor thread, Runnable task, Logger log, String owner) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("{} task failed", owner, e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("{} stopped; task dropped", owner);
        }
    }
}

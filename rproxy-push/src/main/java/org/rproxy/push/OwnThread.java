package org.rproxy.push;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;

/**
 * Hands a task to the single thread that owns a push component's state (the feed's, the
 * publisher's): a task that fails is logged and does not kill the thread; a task handed over
 * after the component stopped is dropped.
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

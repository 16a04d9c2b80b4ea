package org.rproxy.harness.scenario;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition a scenario cannot be told about (a document changing at an origin, a
 * bundle appearing in the overlay): checked on a scheduler thread every {@code every}, each
 * check after the previous one ended, for a bounded time. A check that throws counts as not yet.
 */
final class Poll {
    private Poll() {
    }

    /** True as soon as {@code done} holds, false when {@code limit} passed first. */
    static boolean until(BooleanSupplier done, Duration every, Duration limit) throws InterruptedException {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "harness-poll");
            t.setDaemon(true);
            return t;
        });
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + limit.toNanos();
        s.scheduleWithFixedDelay(() -> {
            boolean ok;
            try {
                ok = done.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            } catch (Error e) {
                // the scheduler would drop the task silently and the wait would run to its end
                result.completeExceptionally(e);
                throw e;
            }
            if (ok || System.nanoTime() - deadline > 0) {
                result.complete(ok);
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        try {
            // a check may itself take a while (an overlay lookup): it is given one more period and a minute
            return result.get(limit.plus(every).plusMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            return false;
        } catch (TimeoutException e) {
            return false;
        } finally {
            s.shutdownNow();
        }
    }
}

package org.rproxy.harness.scenario;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The last step of stopping a child process the harness started, once it has been asked to end
 * (its standard input closed, or SIGTERM): a grace period, then SIGKILL. Every child is stopped
 * by its PID this way, so no run leaves a process behind.
 */
final class ChildProcesses {

    private static final long KILLED_WAIT_SECONDS = 5;

    private ChildProcesses() {
    }

    /**
     * Waits up to {@code grace} for {@code process} to end, then kills it and waits up to 5 s
     * more. An interrupt kills it at once and stays set.
     */
    static void awaitOrKill(Process process, Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(KILLED_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

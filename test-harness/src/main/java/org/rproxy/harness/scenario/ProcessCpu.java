package org.rproxy.harness.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used (user plus system), from {@code /proc/PID/stat}, so a scenario can
 * say which process a phase's time went to when they all share the same cores. Linux only; -1
 * elsewhere or when the process is gone. Assumes the usual 100 clock ticks a second.
 */
final class ProcessCpu {
    private static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** CPU milliseconds used so far by {@code pid} ({@code "self"} for this process). */
    static long millis(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command name (field 2) may hold spaces; the fields after it start past its ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

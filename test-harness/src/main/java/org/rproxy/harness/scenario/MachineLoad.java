package org.rproxy.harness.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the machine did while a scenario loaded one node's process: the one-minute load average
 * when it began and when it ended, and the CPU that process used in between. On shared cores this
 * explains latencies, so a scenario says it in its {@code machine} line, worded alike everywhere.
 */
final class MachineLoad {
    private final long pid;
    private final String loadBefore;
    private final long cpuBefore;

    private MachineLoad(long pid) {
        this.pid = pid;
        this.loadBefore = average();
        this.cpuBefore = ProcessCpu.millis(Long.toString(pid));
    }

    /** Starts from now, for the process {@code pid} (the node under load). */
    static MachineLoad from(long pid) {
        return new MachineLoad(pid);
    }

    /** {@code load average B before, A after; proxy CPU S s}, from the start to now. */
    String sinceStart() {
        long cpu = ProcessCpu.millis(Long.toString(pid)) - cpuBefore;
        return String.format(Locale.ROOT, "load average %s before, %s after; proxy CPU %.1f s", loadBefore, average(),
                cpu / 1000.0);
    }

    /** The one-minute load average ({@code /proc/loadavg}), or {@code -} where there is none. */
    static String average() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }
}

package org.rproxy.harness.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;

/**
 * Watches a node under a connection flood every {@link #PERIOD_MILLIS}: its admin {@code /readyz}
 * (latency of a fresh connection's whole answer), a new client's {@code GET /directory} on the
 * data port (status and latency; an answer not whole within {@link #PROMPT_MILLIS} is a timeout),
 * and the process's open descriptors ({@code /proc/PID/fd}). Each probe has a thread of its own,
 * so a slow one does not delay the others. Linux only for descriptors (-1 elsewhere).
 */
final class NodeSampler implements AutoCloseable {
    static final long PERIOD_MILLIS = 100;
    /** A new client's answer, a 200 or a 503, must be whole within this to count as prompt. */
    static final long PROMPT_MILLIS = 1_000;

    /** One sample, for the CSV. */
    private record Sample(long atMillis, String probe, long value, int status) {
    }

    private final long pid;
    private final int dataPort;
    private final int adminPort;
    private final long start = System.nanoTime();
    private final ScheduledExecutorService probes = Executors.newScheduledThreadPool(3);
    private final List<Sample> samples = new ArrayList<>();
    final Histogram readyz = new Histogram(60_000_000L, 3);
    final Histogram directory = new Histogram(60_000_000L, 3);
    private long readyzNot200;
    private long directory200;
    private long directory503;
    private long directoryOther;
    private long directoryTimeouts;
    private long directoryFailed;
    private long maxFds;

    NodeSampler(long pid, int dataPort, int adminPort) {
        this.pid = pid;
        this.dataPort = dataPort;
        this.adminPort = adminPort;
        probes.scheduleAtFixedRate(this::probeReadyz, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        probes.scheduleAtFixedRate(this::probeDirectory, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        probes.scheduleAtFixedRate(this::countFds, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void probeReadyz() {
        LoopbackGet.Answer a = LoopbackGet.get(adminPort, "/readyz", PROMPT_MILLIS);
        synchronized (this) {
            readyz.recordValue(Math.min(a.micros(), readyz.getHighestTrackableValue()));
            readyzNot200 += a.status() == 200 ? 0 : 1;
            samples.add(new Sample(sinceStart(), "readyz", a.micros(), a.status()));
        }
    }

    private void probeDirectory() {
        LoopbackGet.Answer a = LoopbackGet.get(dataPort, "/directory", PROMPT_MILLIS);
        synchronized (this) {
            directory.recordValue(Math.min(a.micros(), directory.getHighestTrackableValue()));
            switch (a.status()) {
                case 200 -> directory200++;
                case 503 -> directory503++;
                case LoopbackGet.TIMEOUT -> directoryTimeouts++;
                case LoopbackGet.FAILED -> directoryFailed++;
                default -> directoryOther++;
            }
            samples.add(new Sample(sinceStart(), "directory", a.micros(), a.status()));
        }
    }

    private void countFds() {
        long n = openDescriptors(pid);
        synchronized (this) {
            maxFds = Math.max(maxFds, n);
            samples.add(new Sample(sinceStart(), "fds", n, 0));
        }
    }

    private long sinceStart() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    synchronized long maxFds() {
        return maxFds;
    }

    synchronized long readyzNot200() {
        return readyzNot200;
    }

    /** New-client outcomes: 200, 503, timeouts, failures (reset or refused), other statuses. */
    synchronized String directoryOutcomes() {
        return String.format(Locale.ROOT, "%d x 200, %d x 503, %d timeouts, %d failed, %d other", directory200,
                directory503, directoryTimeouts, directoryFailed, directoryOther);
    }

    synchronized boolean everyNewClientAnswered() {
        return directory200 + directory503 > 0 && directoryTimeouts + directoryFailed + directoryOther == 0;
    }

    /** Writes every sample as {@code ms,probe,value,status} (value: microseconds, or descriptors). */
    synchronized void writeCsv(Path file) throws IOException {
        StringBuilder b = new StringBuilder("ms,probe,value,status\n");
        for (Sample s : samples) {
            b.append(s.atMillis()).append(',').append(s.probe()).append(',').append(s.value()).append(',')
                    .append(s.status()).append('\n');
        }
        Files.writeString(file, b);
    }

    @Override
    public void close() {
        probes.shutdown();
        try {
            if (!probes.awaitTermination(5, TimeUnit.SECONDS)) {
                probes.shutdownNow();
            }
        } catch (InterruptedException e) {
            probes.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Open descriptors of a process, or -1 when they cannot be counted. */
    static long openDescriptors(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** Waits until a process holds at most {@code target} descriptors; returns the last count. */
    static long awaitDescriptorsAtMost(long pid, long target, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long n = openDescriptors(pid);
        while (n > target && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(PERIOD_MILLIS);
            n = openDescriptors(pid);
        }
        return n;
    }

    /** The soft open-files limit of a process (from {@code /proc/PID/limits}), or -1 when unknown. */
    static long openFilesLimit(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }
}

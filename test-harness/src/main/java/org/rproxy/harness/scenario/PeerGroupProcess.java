package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One {@link OverlayPeers} child process, started with this JVM's Java and class path (so inside
 * the same network namespace). Its standard output, one line per peer step, goes to a consumer
 * on a reader thread of its own; its standard error (the libraries' warnings) to a log file in
 * the lab folder. {@link #close} ends its standard input (its peers close and it exits) and then
 * stops it by PID if it has not.
 */
final class PeerGroupProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Thread reader;

    private PeerGroupProcess(String name, Process process, Consumer<String> lines) {
        this.name = name;
        this.process = process;
        this.reader = new Thread(() -> read(lines), name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** @param args the arguments of {@link OverlayPeers} */
    static PeerGroupProcess start(String name, List<String> args, Path logDir, Consumer<String> lines) throws IOException {
        requireNonNull(lines, "lines");
        // Many threads with small heaps: the serial collector adds no threads of its own.
        List<String> cmd = new ArrayList<>(List.of(ProxyProcess.javaExecutable(), "-Xmx768m", "-Xss512k",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), OverlayPeers.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(logDir.resolve(name + ".log").toFile()).start();
        return new PeerGroupProcess(name, p, lines);
    }

    long pid() {
        return process.pid();
    }

    /** Sends one command line; false when the process no longer reads. */
    synchronized boolean send(String command) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void read(Consumer<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.accept(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                process.getOutputStream().close();
            }
        } catch (IOException e) {
            process.destroyForcibly();
            return;
        }
        try {
            // its peers close their DHT nodes and BitTorrent runtimes, several at once, for at most 20 s
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
                ChildProcesses.awaitOrKill(process, Duration.ofSeconds(5));
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}

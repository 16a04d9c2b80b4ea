package org.rproxy.harness.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@link IdleClients} child process, started with this harness's own Java and class path. Its
 * output goes to a file in the lab folder; {@link #close} ends its standard input (it closes its
 * connections and exits) and then stops it by PID if it has not. Used by the scenario's thread.
 */
final class IdleClientProcess implements AutoCloseable {
    private final Process process;
    private final Path out;

    private IdleClientProcess(Process process, Path out) {
        this.process = process;
        this.out = out;
    }

    /**
     * @param sources loopback source addresses the connections take in turn (see {@link IdleClients})
     */
    static IdleClientProcess start(String name, String host, int port, int count, Duration ramp, Duration hold,
                                   boolean partial, List<String> sources, Path logDir) throws IOException {
        List<String> cmd = List.of(ProxyProcess.javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), IdleClients.class.getName(), host, Integer.toString(port),
                Integer.toString(count), Long.toString(ramp.toMillis()), Long.toString(hold.toMillis()),
                partial ? "partial" : "silent", String.join(",", sources));
        Path out = logDir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new IdleClientProcess(p, out);
    }

    long pid() {
        return process.pid();
    }

    /**
     * Waits for the process to finish on its own and returns the counts of its {@code done} line
     * (empty when it did not finish within {@code limit} or printed none).
     */
    Map<String, Long> awaitDone(Duration limit) throws IOException, InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            return Map.of();
        }
        return counts("done");
    }

    /** The counts of the last line it printed ({@code progress} or {@code done}); empty before the first. */
    Map<String, Long> latest() throws IOException {
        return counts(null);
    }

    private Map<String, Long> counts(String kind) throws IOException {
        List<String> lines = Files.readAllLines(out);
        for (int i = lines.size() - 1; i >= 0; i--) {
            String[] f = lines.get(i).split(" ");
            if (f.length > 2 && f[0].equals("idle-clients") && (kind == null || f[1].equals(kind))) {
                Map<String, Long> m = new HashMap<>();
                for (int j = 2; j < f.length; j++) {
                    String[] kv = f[j].split("=", 2);
                    m.put(kv[0], Long.parseLong(kv[1]));
                }
                return m;
            }
        }
        return Map.of();
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroyForcibly();
            return;
        }
        ChildProcesses.awaitOrKill(process, Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "idle clients (pid " + process.pid() + ")";
    }
}

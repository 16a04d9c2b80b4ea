package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An rproxy server the harness runs as a separate process — a proxy ({@code rproxy proxy}, pull or
 * push) or an origin ({@code rproxy origin}) — listening on loopback only. Its output goes to a
 * log file in the lab folder. {@link #close} stops it by PID: a polite destroy first, then a
 * forced one.
 */
final class ProxyProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final int adminPort;
    private final Path log;

    private ProxyProcess(String name, Process process, int port, int adminPort, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.adminPort = adminPort;
        this.log = log;
    }

    /**
     * Starts {@code rproxy proxy} and waits until its admin listener answers {@code /readyz} with
     * 200, as a load balancer would before sending it viewers: it holds the maps it answers from.
     *
     * @param classpath where {@code org.rproxy.app.Main} comes from
     */
    static ProxyProcess start(String name, String classpath, String upstream, Path trust, Path logDir, List<String> extra,
                              Consumer<AutoCloseable> started) throws IOException, InterruptedException {
        return withFreshPorts(() -> {
            int port = freePort();
            int admin = freePort();
            List<String> args = new ArrayList<>(List.of("proxy", "--listen", "127.0.0.1:" + port, "--admin",
                    "127.0.0.1:" + admin, "--upstream", upstream, "--trust", trust.toString(), "--name", name));
            args.addAll(extra);
            return launch(name, classpath, args, port, admin, logDir, URI.create("http://127.0.0.1:" + admin + "/readyz"),
                    started);
        });
    }

    /** A push-mode proxy (with an admin listener): ready when it serves the directory it follows. */
    static ProxyProcess startPush(String name, String classpath, String upstream, Path trust, Path logDir,
                                  List<String> extra, Consumer<AutoCloseable> started) throws IOException, InterruptedException {
        return withFreshPorts(() -> {
            int port = freePort();
            int admin = freePort();
            List<String> args = new ArrayList<>(List.of("proxy", "--mode", "push", "--listen", "127.0.0.1:" + port,
                    "--admin", "127.0.0.1:" + admin, "--upstream", upstream, "--trust", trust.toString(), "--name", name));
            args.addAll(extra);
            return launch(name, classpath, args, port, admin, logDir, URI.create("http://127.0.0.1:" + port + "/directory"),
                    started);
        });
    }

    /** An origin process (it carries the update stream when the build has push mode). */
    static ProxyProcess startOrigin(String classpath, Path maps, Path key, Duration maxAge, Path logDir,
                                    Consumer<AutoCloseable> started) throws IOException, InterruptedException {
        return withFreshPorts(() -> {
            int port = freePort();
            List<String> args = List.of("origin", "--listen", "127.0.0.1:" + port, "--maps", maps.toString(), "--key",
                    key.toString(), "--max-age", maxAge.toSeconds() + "s");
            return launch("origin", classpath, args, port, -1, logDir, URI.create("http://127.0.0.1:" + port + "/directory"),
                    started);
        });
    }

    /**
     * A signing front: {@code rproxy origin --sign-upstream} over an unsigned RFC 7285 server,
     * reading it every {@code poll}; ready when it serves the directory it signed.
     */
    static ProxyProcess startSigningFront(String classpath, String directoryUrl, Path key, Duration poll, Duration maxAge,
                                          Path logDir, Consumer<AutoCloseable> started) throws IOException, InterruptedException {
        return withFreshPorts(() -> {
            int port = freePort();
            List<String> args = List.of("origin", "--listen", "127.0.0.1:" + port, "--sign-upstream", directoryUrl, "--key",
                    key.toString(), "--poll", poll.toMillis() + "ms", "--max-age", maxAge.toSeconds() + "s");
            return launch("signing-front", classpath, args, port, -1, logDir,
                    URI.create("http://127.0.0.1:" + port + "/directory"), started);
        });
    }

    /**
     * Ports are picked free here and bound by the child a second later, while the tests or the
     * load around it open sockets of their own: one of those may take a picked port first. The
     * child then stops at once saying it cannot listen; it is started again on fresh ports.
     */
    private static ProxyProcess withFreshPorts(Launch launch) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return launch.start();
            } catch (PortTaken e) {
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static final int START_ATTEMPTS = 3;

    @FunctionalInterface
    private interface Launch {
        ProxyProcess start() throws IOException, InterruptedException;
    }

    /** The child could not bind a port it was given. */
    private static final class PortTaken extends IOException {
        PortTaken(String message) {
            super(message);
        }
    }

    /**
     * Starts the child and hands it to {@code started} at once, before waiting for it to be ready,
     * so whoever stops the lab (a shutdown hook included) knows it while it starts; {@code started}
     * may refuse it by throwing, and the child is then stopped.
     */
    private static ProxyProcess launch(String name, String classpath, List<String> args, int port, int admin, Path logDir,
                                       URI ready, Consumer<AutoCloseable> started) throws IOException, InterruptedException {
        // The JVM's own choice of collector, as bin/rproxy leaves it (G1 on a server-class
        // machine): the serial collector stopped a proxy holding 20,000 connections for 200 ms.
        List<String> cmd = new ArrayList<>(List.of(javaExecutable(), "-Xmx768m"));
        cmd.addAll(extraJvmOptions(System.getenv(JVM_OPTIONS_VARIABLE)));
        cmd.addAll(List.of("-cp", classpath, "org.rproxy.app.Main"));
        cmd.addAll(args);
        Path log = logDir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ProxyProcess proc = new ProxyProcess(name, p, port, admin, log);
        try {
            started.accept(proc);
            proc.awaitReady(ready, Duration.ofSeconds(60));
        } catch (IOException | InterruptedException | RuntimeException e) {
            proc.close();
            throw e;
        }
        return proc;
    }

    /**
     * Environment variable with JVM options for every origin and proxy process a scenario starts,
     * after the defaults (so {@code -Xmx2g} or {@code -XX:+UseZGC} override them), for example a
     * flight recording or a GC log: {@code -XX:StartFlightRecording=filename=/tmp/p.jfr}.
     */
    static final String JVM_OPTIONS_VARIABLE = "RPROXY_HARNESS_JVM_OPTS";

    /** The options in {@code value}, split at white space; none when it is null or blank. */
    static List<String> extraJvmOptions(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    long pid() {
        return process.pid();
    }

    String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** The admin listener's port, or -1 when it has none. */
    int adminPort() {
        return adminPort;
    }

    /** The admin listener's {@code /metrics}, or null when it has none. */
    URI metrics() {
        return adminPort < 0 ? null : URI.create("http://127.0.0.1:" + adminPort + "/metrics");
    }

    /** Resident memory of the process in KiB, from /proc; -1 when unknown. */
    long residentKib() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    Path log() {
        return log;
    }

    private void awaitReady(URI health, Duration limit) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String why = name + " exited with " + process.exitValue() + "; see " + log;
                throw Files.exists(log) && Files.readString(log).contains("cannot listen on") ? new PortTaken(why)
                        : new IOException(why);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException(name + " did not become ready within " + limit + "; see " + log);
    }

    @Override
    public void close() {
        requireNonNull(process, "process");
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        ChildProcesses.awaitOrKill(process, Duration.ofSeconds(5));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

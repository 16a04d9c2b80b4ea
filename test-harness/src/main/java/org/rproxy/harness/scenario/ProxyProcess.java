package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pull-mode RProxy the harness runs as a separate process ({@code rproxy proxy}), listening on
 * loopback, with its admin listener on loopback too. Its output goes to a log file in the lab
 * folder. {@link #close} stops it by PID: a polite destroy first, then a forced one.
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
     * Starts {@code rproxy proxy} and waits until its admin listener answers {@code /healthz}.
     *
     * @param classpath where {@code org.rproxy.app.Main} comes from
     */
    static ProxyProcess start(String name, String classpath, String upstream, Path trust, Path logDir, List<String> extra)
            throws IOException, InterruptedException {
        int port = freePort();
        int admin = freePort();
        List<String> cmd = new ArrayList<>(List.of(javaExecutable(), "-Xmx768m", "-XX:+UseSerialGC",
                "-cp", classpath, "org.rproxy.app.Main", "proxy",
                "--listen", "127.0.0.1:" + port, "--admin", "127.0.0.1:" + admin,
                "--upstream", upstream, "--trust", trust.toString(), "--name", name));
        cmd.addAll(extra);
        Path log = logDir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ProxyProcess proxy = new ProxyProcess(name, p, port, admin, log);
        try {
            proxy.awaitHealthy(Duration.ofSeconds(60));
        } catch (IOException | InterruptedException | RuntimeException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    URI metrics() {
        return URI.create("http://127.0.0.1:" + adminPort + "/metrics");
    }

    Path log() {
        return log;
    }

    private void awaitHealthy(Duration limit) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        URI health = URI.create("http://127.0.0.1:" + adminPort + "/healthz");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("proxy " + name + " exited with " + process.exitValue() + "; see " + log);
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
        throw new IOException("proxy " + name + " did not become healthy within " + limit + "; see " + log);
    }

    @Override
    public void close() {
        requireNonNull(process, "process");
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
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

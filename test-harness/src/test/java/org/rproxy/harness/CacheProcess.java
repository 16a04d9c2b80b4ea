package org.rproxy.harness;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An nginx or a varnishd run as a child process of the test, on an ephemeral 127.0.0.1 port,
 * with everything it writes (pid, logs, temp files, cache, Varnish's work folder) in a folder of
 * its own. Stopped by PID (its own process and its descendants) on {@link #close()}. Used by
 * {@link HttpCachesIT}; the test thread runs it.
 */
final class CacheProcess implements AutoCloseable {
    final String name;
    final int port;
    private final Process process;
    private final Path log;

    private CacheProcess(String name, int port, Process process, Path log) {
        this.name = requireNonNull(name, "name");
        this.port = port;
        this.process = requireNonNull(process, "process");
        this.log = requireNonNull(log, "log");
    }

    /** The executable {@code name} on PATH or in the sbin folders, if installed. */
    static Optional<Path> executable(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** A port that was free a moment ago (the child binds it next). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /**
     * nginx in the foreground with {@code http} as the body of its http block (which must listen
     * on {@code port}); everything else it writes stays in {@code dir}.
     */
    static CacheProcess nginx(String name, Path nginx, Path dir, int port, String http) throws Exception {
        Files.createDirectories(dir);
        String user = "root".equals(System.getProperty("user.name")) ? "user root root;\n" : "";
        String conf = user + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 256; }\n"
                + "http {\n"
                + "  access_log off;\n"
                + "  client_body_temp_path " + dir.resolve("client_temp") + ";\n"
                + "  proxy_temp_path " + dir.resolve("proxy_temp") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("fastcgi_temp") + ";\n"
                + "  uwsgi_temp_path " + dir.resolve("uwsgi_temp") + ";\n"
                + "  scgi_temp_path " + dir.resolve("scgi_temp") + ";\n"
                + http + "\n}\n";
        Path file = Files.writeString(dir.resolve("nginx.conf"), conf);
        return start(name, port, dir, List.of(nginx.toString(), "-p", dir.toString(), "-c", file.toString(),
                "-g", "daemon off;"));
    }

    /** varnishd in the foreground with {@code vcl}, its work folder in {@code dir}, and {@code -p} parameters. */
    static CacheProcess varnish(String name, Path varnishd, Path dir, int port, String vcl, List<String> params)
            throws Exception {
        Files.createDirectories(dir);
        Path file = Files.writeString(dir.resolve("cache.vcl"), vcl);
        List<String> cmd = new ArrayList<>(List.of(varnishd.toString(), "-F", "-a", "127.0.0.1:" + port,
                "-f", file.toString(), "-n", dir.resolve("work").toString(), "-s", "malloc,32m"));
        for (String p : params) {
            cmd.add("-p");
            cmd.add(p);
        }
        return start(name, port, dir, cmd);
    }

    private static CacheProcess start(String name, int port, Path dir, List<String> cmd) throws Exception {
        Path log = dir.resolve("process.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        CacheProcess c = new CacheProcess(name, port, p, log);
        if (!Proxies.await(() -> !p.isAlive() || c.listening(), 30) || !p.isAlive()) {
            c.close();
            throw new IllegalStateException(name + " did not start: " + Files.readString(log));
        }
        return c;
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : children) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return name + " on " + port + " (log " + log + ")";
    }
}

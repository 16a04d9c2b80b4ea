package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An nginx or a varnishd run as a child process of the test, on an ephemeral 127.0.0.1 port,
 * with everything it writes (pid, logs, temp files, cache, Varnish's work folder) in a folder of
 * its own. Stopped by PID (its own process and its descendants) on {@link #close()}. Used by the
 * {@code edge-caches} scenario and by HttpCachesIT, from the thread that runs them.
 */
public final class CacheProcess implements AutoCloseable {
    /** How long nginx or varnishd may take to end after SIGTERM before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private CacheProcess(String name, int port, Process process, Path log) {
        this.name = requireNonNull(name, "name");
        this.port = port;
        this.process = requireNonNull(process, "process");
        this.log = requireNonNull(log, "log");
    }

    /** The executable {@code name} on PATH or in the sbin folders, if installed. */
    public static Optional<Path> executable(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** A port that was free a moment ago (the child binds it next). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /**
     * The gzip settings of an nginx as operators run it: Debian's nginx.conf has {@code gzip on}
     * in its http block, and its commented-out lines (uncommented as often as not) compress
     * proxied answers and XML, here with the ALTO JSON types added. nginx's gzip filter ignores
     * {@code Cache-Control: no-transform}, so a configuration must turn it off where it serves
     * signed documents.
     */
    static final String OPERATOR_GZIP = "  gzip on;\n"
            + "  gzip_vary on;\n"
            + "  gzip_proxied any;\n"
            + "  gzip_comp_level 6;\n"
            + "  gzip_types text/plain text/css application/json application/javascript text/xml application/xml"
            + " application/xml+rss text/javascript application/alto-directory+json"
            + " application/alto-networkmap+json application/alto-costmap+json application/alto-endpointprop+json"
            + " application/alto-endpointcost+json application/alto-error+json;\n";

    /**
     * nginx in the foreground with {@code http} as the body of its http block (which must listen
     * on {@code port}), after the {@link #OPERATOR_GZIP} settings; everything else it writes stays
     * in {@code dir}.
     */
    public static CacheProcess nginx(String name, Path nginx, Path dir, int port, String http) throws IOException {
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
                + OPERATOR_GZIP
                + http + "\n}\n";
        Path file = Files.writeString(dir.resolve("nginx.conf"), conf);
        return start(name, port, dir, List.of(nginx.toString(), "-p", dir.toString(), "-c", file.toString(),
                "-g", "daemon off;"));
    }

    /** varnishd in the foreground with {@code vcl}, its work folder in {@code dir}, and {@code -p} parameters. */
    public static CacheProcess varnish(String name, Path varnishd, Path dir, int port, String vcl, List<String> params)
            throws IOException {
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

    /**
     * nginx with the shipped {@code conf/nginx/rproxy-cache.conf}, its addresses and cache folder
     * changed to {@code upstream} ("host:port"), {@code port} and {@code dir}.
     */
    public static CacheProcess shippedNginx(String name, Path nginx, Path conf, Path dir, int port, String upstream)
            throws IOException {
        String http = replaced(Files.readString(conf.resolve("nginx/rproxy-cache.conf")), "127.0.0.1:8282", upstream,
                "127.0.0.1:8080", "127.0.0.1:" + port, "/var/cache/nginx/rproxy", dir.resolve("cache").toString());
        return nginx(name, nginx, dir, port, http);
    }

    /**
     * varnishd with the shipped {@code conf/varnish/rproxy.vcl} (its backend changed to
     * {@code host:backendPort}) and the parameters of {@code conf/varnish/varnishd.params}.
     */
    public static CacheProcess shippedVarnish(String name, Path varnishd, Path conf, Path dir, int port, String host,
                                              int backendPort) throws IOException {
        String vcl = replaced(Files.readString(conf.resolve("varnish/rproxy.vcl")), ".host = \"127.0.0.1\"",
                ".host = \"" + host + "\"", ".port = \"8282\"", ".port = \"" + backendPort + "\"");
        List<String> params = Files.readAllLines(conf.resolve("varnish/varnishd.params")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        return varnish(name, varnishd, dir, port, vcl, params);
    }

    /** The checkout's {@code conf} folder with the cache configurations, looked for above {@code start}. */
    public static Optional<Path> shippedConf(Path start) {
        for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("conf/nginx/rproxy-cache.conf"))) {
                return Optional.of(d.resolve("conf"));
            }
        }
        return Optional.empty();
    }

    /** {@code text} with each (from, to) pair replaced; refused when a {@code from} is not in it. */
    private static String replaced(String text, String... pairs) throws IOException {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (!text.contains(pairs[i])) {
                throw new IOException("the shipped configuration no longer contains " + pairs[i]);
            }
            text = text.replace(pairs[i], pairs[i + 1]);
        }
        return text;
    }

    private static CacheProcess start(String name, int port, Path dir, List<String> cmd) throws IOException {
        Path log = dir.resolve("process.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        CacheProcess c = new CacheProcess(name, port, p, log);
        if (!c.awaitListening(Duration.ofSeconds(30))) {
            c.close();
            throw new IOException(name + " did not start listening on " + port + ": " + Files.readString(log));
        }
        return c;
    }

    /** Waits until the port accepts connections; false when the process ends first or the time runs out. */
    private boolean awaitListening(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (System.nanoTime() - deadline < 0) {
                if (listening()) {
                    return true;
                }
                // Waiting on the process, not sleeping: a process that dies ends the wait at once.
                if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String name() {
        return name;
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        ChildProcesses.awaitOrKill(process, STOP_GRACE);
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

package org.rproxy.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A backend for HttpCachesIT's checks of what a shipped cache configuration does with header
 * fields the node may send, on an ephemeral 127.0.0.1 port: every path answers GET with a small
 * body, the fields {@link #fields} holds for it and {@code ETag: "stub"}, and with a 304 (the same
 * fields, no body) to {@code If-None-Match: "stub"}, except that a path in {@link #failing} gets
 * a {@code 503} (as a failing node's, with no cache fields). It records every request it gets.
 */
final class CacheStub implements AutoCloseable {
    static final String ETAG = "\"stub\"";

    /** A request as the stub got it: its path and whether it was conditional. */
    record Seen(String path, boolean conditional) {
    }

    /** The fields to answer each path with (besides ETag), set by the test before asking. */
    final Map<String, Map<String, String>> fields = new ConcurrentHashMap<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** The paths answered {@code 503}, set by the test. */
    final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    CacheStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::answer);
        server.setExecutor(threads);
        server.start();
    }

    private void answer(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean conditional = ETAG.equals(ex.getRequestHeaders().getFirst("If-None-Match"));
            seen.add(new Seen(path, conditional));
            if (failing.contains(path)) {
                byte[] body = "stub failing\n".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain");
                ex.sendResponseHeaders(503, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            fields.getOrDefault(path, Map.of()).forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.getResponseHeaders().set("ETag", ETAG);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            if (conditional) {
                ex.sendResponseHeaders(304, -1);
                return;
            }
            byte[] body = ("stub answer " + seen.size() + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    /** The requests the stub got for {@code path}. */
    List<Seen> seen(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).toList();
    }

    /** {@code host:port}, as the cache configurations name their backend. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Stops answering: the port refuses connections from now on. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        threads.shutdownNow();
    }
}

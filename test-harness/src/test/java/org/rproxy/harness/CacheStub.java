package org.rproxy.harness;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.rproxy.core.testing.RawSockets;

/**
 * A backend for HttpCachesIT's checks of what a shipped cache configuration does with header
 * fields the node may send, on an ephemeral 127.0.0.1 port: every path answers GET with a small
 * body, the fields {@link #fields} holds for it and {@code ETag: "stub"}, and with a 304 (the same
 * fields, no body) to {@code If-None-Match: "stub"}, except that a path in {@link #failing} gets
 * a {@code 503} (as a failing node's, with no cache fields). It records every request it gets.
 *
 * <p>Plain sockets, one thread per connection, HTTP/1.1 with keep-alive (as the caches talk to a
 * node), so that {@link #goAway} can do what a node that stops does to its connections: the
 * listener closes and every open connection is reset, a kept-alive one included, and the port is
 * then held where nothing listens, so a connection is refused at once for as long as the stub is
 * open. (With the JDK's HttpServer closed, the caches' requests to it once took past the client's
 * 10 s in CI, a kept-alive connection left open, which the test could not control.)
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
    private final ServerSocket server;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean gone;
    /** After {@link #goAway}: a socket bound to the port that never listens (null if the bind failed). */
    private volatile Socket refusing;

    CacheStub() throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        port = server.getLocalPort();
        RawSockets.daemon("cache-stub-accept", () -> {
            while (true) {
                Socket s = server.accept();
                open.add(s);
                if (gone) {
                    reset(s); // accepted as the stub went away: it goes the same way
                    return;
                }
                RawSockets.daemon("cache-stub-" + s.getPort(), () -> serve(s));
            }
        });
    }

    private void serve(Socket s) throws IOException {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String head;
            while ((head = RawSockets.readHead(in)) != null) {
                String[] lines = head.split("\r\n");
                String[] request = lines[0].split(" ");
                Map<String, String> h = new LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon > 0) {
                        h.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                    }
                }
                in.skipNBytes(Long.parseLong(h.getOrDefault("content-length", "0")));
                boolean close = request[2].equals("HTTP/1.0") || "close".equalsIgnoreCase(h.get("connection"));
                out.write(answer(request[0], request[1].split("\\?", 2)[0], ETAG.equals(h.get("if-none-match")), close));
                out.flush();
                if (close) {
                    return;
                }
            }
        } finally {
            open.remove(s);
        }
    }

    private byte[] answer(String method, String path, boolean conditional, boolean close) {
        seen.add(new Seen(path, conditional));
        Map<String, String> out = new LinkedHashMap<>();
        out.put("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
        out.put("Content-Type", "text/plain");
        int status;
        String body;
        if (failing.contains(path)) {
            status = 503;
            body = "stub failing\n";
        } else {
            out.putAll(fields.getOrDefault(path, Map.of()));
            out.put("ETag", ETAG);
            status = conditional ? 304 : 200;
            body = conditional ? null : "stub answer " + seen.size() + "\n";
        }
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder r = new StringBuilder("HTTP/1.1 ").append(status)
                .append(status == 200 ? " OK" : status == 304 ? " Not Modified" : " Service Unavailable").append("\r\n");
        out.forEach((k, v) -> r.append(k).append(": ").append(v).append("\r\n"));
        if (status != 304) {
            r.append("Content-Length: ").append(b.length).append("\r\n");
        }
        if (close) {
            r.append("Connection: close\r\n");
        }
        r.append("\r\n");
        byte[] headBytes = r.toString().getBytes(StandardCharsets.US_ASCII);
        boolean withBody = status != 304 && !method.equals("HEAD");
        byte[] all = new byte[headBytes.length + (withBody ? b.length : 0)];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        if (withBody) {
            System.arraycopy(b, 0, all, headBytes.length, b.length);
        }
        return all;
    }

    /** The requests the stub got for {@code path}. */
    List<Seen> seen(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).toList();
    }

    /** {@code host:port}, as the cache configurations name their backend. */
    String address() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /**
     * Goes away as a stopped node does: stops listening and resets every open connection (a
     * cache's kept-alive one included, which it then finds closed at its next use), so from now
     * on a connection is refused at once. The port stays held (bound, never listening) while the
     * stub is open, so no other test's listener takes it meanwhile; when that bind fails (the
     * port still in TIME_WAIT from a connection the stub closed itself), it is merely closed.
     * Idempotent.
     */
    synchronized void goAway() throws IOException {
        if (gone) {
            return;
        }
        gone = true;
        server.close();
        for (Socket s : open) {
            reset(s);
        }
        refusing = holdClosed(port);
    }

    /**
     * A socket bound to the loopback {@code port} a server has just closed, never listening, so
     * that connections to it are refused and no other listener (another test's, binding port 0)
     * is handed the port while it is held; null when the bind fails (the port still in TIME_WAIT
     * from a connection the server closed first), when the port is merely closed.
     */
    static Socket holdClosed(int port) throws IOException {
        Socket hold = new Socket();
        try {
            hold.setReuseAddress(false);
            hold.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return hold;
        } catch (IOException inUse) {
            hold.close();
            return null;
        }
    }

    /** Closes {@code s} with a reset (SO_LINGER 0): the peer's next read or write fails at once. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException alreadyClosed) {
            // gone already
        }
    }

    /** Goes away ({@link #goAway}) and lets the port go. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        goAway();
        Socket hold = refusing;
        if (hold != null) {
            refusing = null;
            hold.close();
        }
    }
}

package org.rproxy.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A hostile hop on loopback between a push proxy and its upstream, for HTTP/1.1 without TLS: it
 * forwards every request and answer, and on each update stream it relays (a {@code POST /updates})
 * it injects, between the upstream's events, control events of its own naming the substream the
 * subscriber chose for {@link #target}: what the upstream never said. It notes every request it
 * forwards (method, path, {@code Accept-Encoding}, when), so a test counts what reached the
 * upstream, and it can hold back every request for the directory (a slow hop, which it may be).
 * Two threads per connection; everything ends at {@link #close()}.
 */
final class StopInjectingRelay implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request forwarded upstream: its method and path, whether it asked for gzip, and when (nanoTime). */
    record Request(String method, String path, boolean gzip, long at) {
    }

    private final ServerSocket server;
    private final int targetPort;
    private final String target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger injected = new AtomicInteger();
    private volatile int budget;
    private volatile String event = "";
    private volatile int together = 1;
    private volatile Duration directoryDelay = Duration.ZERO;

    /** A relay to 127.0.0.1:{@code targetPort} that, once told, injects control events about {@code target}. */
    StopInjectingRelay(int targetPort, String target) throws IOException {
        this.targetPort = targetPort;
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "stop-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /**
     * From now on injects {@code controlJson} (a control event's data, {@code %s} standing for the
     * substream id) {@code times} times in all, {@code together} at a time after an event of a
     * stream that has passed its first control event.
     */
    void inject(String controlJson, int times, int together) {
        this.event = controlJson;
        this.together = together;
        this.budget = times;
    }

    /** Stops injecting. */
    void stopInjecting() {
        this.budget = 0;
    }

    /** How many events were injected so far. */
    int injected() {
        return injected.get();
    }

    /** Holds back every later request for the directory by {@code delay} before forwarding it. */
    void delayDirectory(Duration delay) {
        this.directoryDelay = delay;
    }

    /** The requests forwarded so far, in order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket down = server.accept();
                Socket up = new Socket();
                sockets.add(down);
                sockets.add(up);
                up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                String[] streamId = new String[1];
                Object lock = new Object();
                start("stop-relay-up", () -> requests(down.getInputStream(), up.getOutputStream(), streamId, lock), down, up);
                start("stop-relay-down", () -> answers(up.getInputStream(), down.getOutputStream(), streamId, lock), down, up);
            } catch (IOException e) {
                // the relay is closed, or the upstream refused: the connection is closed
            }
        }
    }

    private interface Pump {
        void run() throws IOException, InterruptedException;
    }

    private static void start(String name, Pump pump, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException | InterruptedException e) {
                // closed
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** Forwards whole requests (head and Content-Length body), noting each; the stream's tells its id. */
    private void requests(InputStream raw, OutputStream out, String[] streamId, Object lock)
            throws IOException, InterruptedException {
        InputStream in = new BufferedInputStream(raw);
        for (int n = 0; n < 100_000; n++) {
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
            String lower = head.toLowerCase(Locale.ROOT);
            int length = header(lower, "content-length") == null ? 0 : Integer.parseInt(header(lower, "content-length"));
            byte[] body = in.readNBytes(length);
            String gzip = header(lower, "accept-encoding");
            requests.add(new Request(line[0], line[1], gzip != null && gzip.contains("gzip"), System.nanoTime()));
            if (line[1].equals("/directory") && !directoryDelay.isZero()) {
                Thread.sleep(directoryDelay.toMillis());
            }
            if (line[0].equals("POST") && line[1].equals("/updates")) {
                synchronized (lock) {
                    streamId[0] = idOf(JSON.readTree(body));
                }
            }
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }
    }

    /** The id the subscription gave {@link #target}'s substream, or "" when it names none. */
    private String idOf(JsonNode subscription) {
        for (var e : subscription.path("add").properties()) {
            JsonNode path = e.getValue().path("path");
            if (path.asText().equals(target) || path.isMissingNode()
                    && target.endsWith("/" + e.getValue().path("resource-id").asText())) {
                return e.getKey();
            }
        }
        return "";
    }

    /** Forwards the answers; on a stream's connection, re-chunks its events and injects between them. */
    private void answers(InputStream raw, OutputStream out, String[] streamId, Object lock)
            throws IOException, InterruptedException {
        InputStream in = new BufferedInputStream(raw);
        in.mark(1);
        if (in.read() < 0) {
            return;
        }
        in.reset();
        String id;
        synchronized (lock) {
            // an answer comes after its request, which was noted before it was forwarded
            id = streamId[0];
        }
        if (id == null) {
            in.transferTo(out);
            return;
        }
        String head = readHead(in);
        if (head == null) {
            return;
        }
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (!head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            in.transferTo(out);
            return;
        }
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        boolean controlSeen = false;
        for (int size; (size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) > 0; ) {
            pending.write(in.readNBytes(size));
            readLine(in);
            String text = pending.toString(StandardCharsets.UTF_8);
            int end;
            while ((end = text.indexOf("\n\n")) >= 0) {
                String one = text.substring(0, end + 2);
                text = text.substring(end + 2);
                chunk(out, one);
                controlSeen |= one.startsWith("event: application/alto-updatestreamcontrol+json");
                for (int i = 0; i < together && controlSeen && !id.isEmpty() && budget > 0; i++) {
                    budget--;
                    injected.incrementAndGet();
                    chunk(out, "event: application/alto-updatestreamcontrol+json\ndata: " + event.formatted(id) + "\n\n");
                }
            }
            pending.reset();
            pending.write(text.getBytes(StandardCharsets.UTF_8));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String header(String lowerHead, String name) {
        int i = lowerHead.indexOf("\r\n" + name + ":");
        if (i < 0) {
            return null;
        }
        int start = i + name.length() + 3;
        return lowerHead.substring(start, lowerHead.indexOf("\r\n", start)).trim();
    }

    /** A message head up to and with its empty line, or null at the end of the input. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String line = readLine(in);
            if (line == null) {
                return null;
            }
            head.append(line).append("\r\n");
            if (line.isEmpty()) {
                return head.toString();
            }
        }
        throw new IOException("head of more than 1000 lines");
    }

    /** A line ended by CRLF, without it; null at the end of the input. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                byte[] l = b.toByteArray();
                return new String(l, 0, l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length,
                        StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return null;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(StopInjectingRelay::closeQuietly);
    }
}

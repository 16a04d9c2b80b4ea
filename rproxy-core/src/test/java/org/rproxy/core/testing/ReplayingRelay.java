package org.rproxy.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.stream.SignatureEvent;

/**
 * A hostile upstream on an ephemeral loopback port: an HTTP/1.1 relay in front of a real one that
 * passes every request and answer on (the control URIs the stream names made its own), except
 * that on an update stream, once the signature event of the first document of a given media type
 * went through, it sends that document's substream an empty merge patch and that same signature
 * event again, {@code times} times, before relaying the rest. Every byte genuine, each pair a
 * kilobyte or so: what a replaying upstream (or source) sends; or, given a re-encoding, that event
 * re-encoded and as it came by turns (such as the twin of its ECDSA signatures). For the push
 * feed's and the client's tests.
 */
public final class ReplayingRelay implements AutoCloseable {
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "transfer-encoding");

    private final ServerSocket server;
    private volatile URI upstream;
    private final String dataType;
    private final int times;
    private final UnaryOperator<String> reencode;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Counted down once the replays have been written. */
    public final CountDownLatch replayed = new CountDownLatch(1);

    /** Relays to {@code upstream} (null: set later, with {@link #relayTo}, before the first request). */
    public ReplayingRelay(URI upstream, String dataType, int times) throws IOException {
        this(upstream, dataType, times, UnaryOperator.identity());
    }

    /**
     * As {@link #ReplayingRelay(URI, String, int)}, but the replayed signature event goes
     * alternately through {@code reencode} (the first replay too) and as it came: each replay
     * differs from the one before it, as what a source that re-encodes the signing held sends.
     */
    public ReplayingRelay(URI upstream, String dataType, int times, UnaryOperator<String> reencode) throws IOException {
        this.upstream = upstream;
        this.dataType = dataType;
        this.times = times;
        this.reencode = reencode;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread serve = new Thread(() -> serve(s), "replaying-relay-serve");
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "replaying-relay-accept");
        t.setDaemon(true);
        t.start();
    }

    /** Relays to {@code upstream} from now on (a server started after this relay, listing it). */
    public void relayTo(URI upstream) {
        this.upstream = upstream;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.write(b);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            String[] start = lines[0].split(" ");
            HttpRequest.Builder req = HttpRequest.newBuilder(upstream.resolve(start[1]));
            int length = 0;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Integer.parseInt(value);
                }
                if (!NOT_FORWARDED.contains(name)) {
                    req.header(name, value);
                }
            }
            byte[] body = in.readNBytes(length);
            req.method(start[0], body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            StringBuilder answer = new StringBuilder("HTTP/1.1 " + r.statusCode() + " Relayed\r\n");
            r.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    values.forEach(v -> answer.append(name).append(": ").append(v).append("\r\n"));
                }
            });
            answer.append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            out.write(answer.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try (InputStream from = r.body()) {
                if (r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
                    relayEvents(from, out);
                } else {
                    chunk(out, from.readAllBytes());
                }
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the connection is dropped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Relays the events of a stream one by one, replaying the chosen signature event after it first passes. */
    private void relayEvents(InputStream from, OutputStream out) throws IOException {
        String ours = "http://127.0.0.1:" + server.getLocalPort();
        String theirs = "http://127.0.0.1:" + upstream.getPort();
        StringBuilder pending = new StringBuilder();
        byte[] buf = new byte[16 * 1024];
        String substream = null;
        boolean done = false;
        for (int n; (n = from.read(buf)) >= 0; ) {
            pending.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            for (int end; (end = pending.indexOf("\n\n")) >= 0; ) {
                String event = pending.substring(0, end + 2).replace(theirs, ours);
                pending.delete(0, end + 2);
                chunk(out, event.getBytes(StandardCharsets.UTF_8));
                String type = event.startsWith("event: ") ? event.substring(7, event.indexOf('\n')) : "";
                if (substream == null && type.startsWith(dataType + ",")) {
                    substream = type.substring(dataType.length() + 1);
                }
                if (!done && substream != null && type.equals(SignatureEvent.MEDIA_TYPE + "," + substream)) {
                    String patch = "event: " + MediaTypes.MERGE_PATCH + "," + substream + "\ndata: {}\n\n";
                    byte[] pair = (patch + event).getBytes(StandardCharsets.UTF_8);
                    byte[] other = (patch + reencode.apply(event)).getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < times; i++) {
                        chunk(out, i % 2 == 0 ? other : pair);
                    }
                    done = true;
                    replayed.countDown();
                }
            }
        }
    }

    private static void chunk(OutputStream out, byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}

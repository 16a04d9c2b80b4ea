package org.rproxy.pull;

import static org.rproxy.core.testing.RawSockets.readHead;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * An upstream on a real loopback socket that misbehaves as told, for the tests of what a pull
 * proxy does and logs when its upstream fails: it reads each request head and then answers with
 * {@link #answer}, which may write anything, stall (never answer), or reset the connection.
 */
final class RawUpstream implements AutoCloseable {
    /** What to do with one request on a connection. */
    interface Answer {
        void answer(String requestHead, Socket socket) throws IOException;
    }

    /** Never answers: the connection stays open, silent, until the proxy gives up or the test ends. */
    static final Answer STALL = (head, s) -> {
        throw new Stall();
    };

    /** Resets the connection (RST) instead of answering. */
    static final Answer RESET = (head, s) -> {
        s.setSoLinger(true, 0);
        s.close();
    };

    private static final class Stall extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** Set by {@link #close()} before it closes what is open: a connection accepted meanwhile closes itself. */
    private volatile boolean closed;
    volatile Answer answer;

    RawUpstream(Answer answer) throws IOException {
        this(answer, 0);
    }

    /**
     * Listens on loopback {@code port} (0: any free one): an upstream started again where one was
     * stopped, as a restarted server comes back on its port.
     */
    RawUpstream(Answer answer, int port) throws IOException {
        this.answer = answer;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        Thread t = new Thread(this::accept, "raw-upstream-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** An answer writing {@code status}, the header lines (each "name: value") and {@code body}. */
    static Answer respond(int status, List<String> headers, byte[] body) {
        return (head, s) -> {
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            sb.append("content-length: ").append(body.length).append("\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        };
    }

    /**
     * An answer serving {@code doc}'s signed variant by Accept-Encoding (the one {@code served}
     * gives at the time of the request), fresh for an hour, and {@code 404} for any other target.
     */
    static Answer variants(String doc, Supplier<Representation> served) {
        return (head, s) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            if (!target.equals(doc)) {
                respond(404, List.of("content-type: application/alto-error+json"),
                        "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\"}}".getBytes(StandardCharsets.UTF_8))
                        .answer(head, s);
                return;
            }
            boolean gzip = head.toLowerCase(Locale.ROOT).contains("\r\naccept-encoding: gzip");
            Variant v = gzip ? served.get().gzip() : served.get().identity();
            List<String> headers = new ArrayList<>();
            for (HeaderField h : v.headers()) {
                headers.add(h.name() + ": " + h.value());
            }
            headers.add("cache-control: max-age=3600");
            headers.add("vary: Accept-Encoding");
            respond(200, headers, v.body().toArray()).answer(head, s);
        };
    }

    /**
     * An answer to every GET: a document for its path signed by {@code signer} at the time
     * {@code now} gives at the request (an hour's validity), in the encoding asked for, with
     * {@code cacheControl} for its path as its {@code Cache-Control}.
     */
    static Answer signedNow(Supplier<TestSigner> signer, Supplier<Instant> now, Function<String, String> cacheControl) {
        return (head, s) -> {
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            Representation doc = signer.get().sign(target, "{}", true, now.get(), Duration.ofHours(1), 60);
            Variant v = head.toLowerCase(Locale.ROOT).contains("\r\naccept-encoding: gzip") ? doc.gzip() : doc.identity();
            List<String> headers = new ArrayList<>();
            v.headers().forEach(h -> headers.add(h.name() + ": " + h.value()));
            headers.add("cache-control: " + cacheControl.apply(target));
            respond(200, headers, v.body().toArray()).answer(head, s);
        };
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                if (closed) { // accepted as close() ran: its loop over the open ones may have missed it
                    s.close();
                    return;
                }
                Thread t = new Thread(() -> serve(s), "raw-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try {
            InputStream in = s.getInputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                try {
                    answer.answer(head, s);
                } catch (Stall e) {
                    // silent until the proxy closes the connection (or the test ends)
                    while (in.read() >= 0) {
                        continue;
                    }
                    return;
                }
                if (s.isClosed()) {
                    return;
                }
            }
        } catch (IOException e) {
            // the proxy closed or reset it
        } finally {
            open.remove(s);
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}

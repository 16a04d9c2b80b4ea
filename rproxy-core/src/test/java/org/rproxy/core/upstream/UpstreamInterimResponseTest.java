package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

/**
 * Interim (1xx) responses before the final one (RFC 9110 §15.2), from a raw upstream on a
 * loopback port: the client skips them and waits for the final response, which answers the
 * request, and the connection then carries the next request. They were taken for the answer: the
 * exchange got the 103, and the 200 that followed was read as the answer to the next request on
 * that connection. A 101, which this client never asks for, fails the request and its connection
 * instead.
 */
class UpstreamInterimResponseTest {

    private static final String EARLY_HINTS = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static UpstreamClient client(int port) {
        return UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", port, null, 1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 1 << 20, 1));
    }

    @Test
    void an103BeforeThe200IsSkippedAndTheConnectionServesTheNextRequest() throws Exception {
        try (RawUpstream upstream = new RawUpstream(n -> n == 1
                // the hint alone first, then the answer: the exchange must wait past the 103
                ? List.of(EARLY_HINTS, ok("answer to request 1"))
                // both in one write
                : List.of(EARLY_HINTS + ok("answer to request " + n)));
             UpstreamClient client = client(upstream.port())) {
            UpstreamResponse first = client.send(UpstreamRequest.get("/one", List.of())).get(5, TimeUnit.SECONDS);
            assertEquals(200, first.status(), "the interim 103 was taken for the answer");
            assertEquals("answer to request 1", first.body().asUtf8());
            assertNull(first.header("link"), "the 103's fields are not the answer's");
            UpstreamResponse second = client.send(UpstreamRequest.get("/two", List.of())).get(5, TimeUnit.SECONDS);
            assertEquals(200, second.status());
            assertEquals("answer to request 2", second.body().asUtf8());
            assertEquals(List.of("/one", "/two"), upstream.targets);
            assertEquals(1, upstream.connections.get(), "the connection was kept for the second request");
        }
    }

    @Test
    void severalInterimResponsesInARowAreAllSkipped() throws Exception {
        try (RawUpstream upstream = new RawUpstream(n -> List.of(
                "HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.1 102 Processing\r\n\r\n" + EARLY_HINTS,
                ok("answer to request " + n)));
             UpstreamClient client = client(upstream.port())) {
            for (int n = 1; n <= 2; n++) {
                UpstreamResponse r = client.send(UpstreamRequest.get("/r" + n, List.of())).get(5, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("answer to request " + n, r.body().asUtf8());
            }
            assertEquals(1, upstream.connections.get(), "the connection was kept for the second request");
        }
    }

    @Test
    void an101FailsTheRequestAndItsConnection() throws Exception {
        try (RawUpstream upstream = new RawUpstream(n -> n == 1
                // an upgrade nobody asked for, then bytes of another protocol
                ? List.of("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                        + "\u0000\u0000\u0012\u0004\u0000\u0000\u0000\u0000\u0000not http at all")
                : List.of(ok("answer to request " + n)));
             UpstreamClient client = client(upstream.port())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.send(UpstreamRequest.get("/one", List.of())).get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof UpstreamException u && u.kind() == UpstreamException.Kind.UNUSABLE
                    && u.getMessage().contains("101"), e.toString());
            UpstreamResponse next = client.send(UpstreamRequest.get("/two", List.of())).get(5, TimeUnit.SECONDS);
            assertEquals("answer to request 2", next.body().asUtf8());
            assertEquals(2, upstream.connections.get(), "the upgraded connection was not used again");
        }
    }

    /**
     * An HTTP/1.1 server on a loopback port that answers the n-th request (counted over all
     * connections; GETs, no body) with {@code script.apply(n)}: each part written and flushed,
     * with a short pause between parts.
     */
    private static final class RawUpstream implements AutoCloseable {
        final List<String> targets = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger requests = new AtomicInteger();
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;
        private final IntFunction<List<String>> script;

        RawUpstream(IntFunction<List<String>> script) throws IOException {
            this.script = script;
            this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "raw-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    accepted.add(s);
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s), "raw-upstream-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    targets.add(head.split(" ", 3)[1]);
                    List<String> parts = script.apply(requests.incrementAndGet());
                    for (int i = 0; i < parts.size(); i++) {
                        if (i > 0) {
                            Thread.sleep(100);
                        }
                        out.write(parts.get(i).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                }
            } catch (EOFException | InterruptedException ended) {
                // the client closed the connection, or the test is over
            } catch (IOException ended) {
                // closed by close()
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException();
                }
                head.append((char) b);
            }
            return head.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}

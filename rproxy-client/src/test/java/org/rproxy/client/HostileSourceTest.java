package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source listed in the origin's directory that answers its head and then stalls or trickles the
 * body, or sends (or claims) a body far larger than any document, costs a client at most its
 * timeout and none of its memory: the fetch is refused, and the client falls back to the next
 * source (here the origin). Real sockets: the hostile source is a thread of this test.
 */
class HostileSourceTest {

    @TempDir
    Path dir;

    private LocalOrigin origin;
    private HostileServer hostile;

    @AfterEach
    void stop() throws IOException {
        if (origin != null) {
            origin.close();
        }
        if (hostile != null) {
            hostile.close();
        }
    }

    /** Answers every request with {@code head}, then writes {@code body} a byte every {@code gapMillis} (0: at once). */
    private static final class HostileServer implements AutoCloseable {
        final ServerSocket server;
        volatile String head;
        volatile byte[] body;

        HostileServer(String head, byte[] body, long gapMillis) throws IOException {
            this.head = head;
            this.body = body;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread answer = new Thread(() -> answer(s, this.head, this.body, gapMillis), "hostile-answer");
                        answer.setDaemon(true);
                        answer.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "hostile-accept");
            t.setDaemon(true);
            t.start();
        }

        private static void answer(Socket s, String head, byte[] body, long gapMillis) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.read(new byte[4096]); // the request
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (gapMillis == 0) {
                    out.write(body);
                } else {
                    for (byte b : body) {
                        Thread.sleep(gapMillis);
                        out.write(b);
                        out.flush();
                    }
                }
            } catch (IOException | InterruptedException gone) {
                // the client gave up on us: as intended
            }
        }

        String uri() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/";
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private AltoClient clientListing(HostileServer source, Duration timeout) throws Exception {
        // the directory must name the hostile source, so the origin is started after it
        origin = LocalOrigin.start(dir, List.of(source.uri()));
        return AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withTimeout(timeout)
                .withMaxEventBytes(1 << 20));
    }

    @Test
    void aSourceThatStallsTheBodyCostsAtMostTheTimeoutAndTheClientFallsBack() throws Exception {
        hostile = new HostileServer("HTTP/1.1 200 OK\r\nContent-Type: application/alto-networkmap+json\r\n"
                + "Content-Length: 1000\r\n\r\n", "{\"meta\":{}}".repeat(90).getBytes(StandardCharsets.US_ASCII), 500);
        AltoClient c = clientListing(hostile, Duration.ofSeconds(2));
        long start = System.nanoTime();
        VerifiedDocument d = c.fetch(LocalOrigin.NETWORK_MAP);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), d.source(), "from the origin");
        ClientException first = d.refused().get(0);
        assertInstanceOf(ClientException.TimedOut.class, first, first.toString());
        assertTrue(first.getMessage().contains("no complete response within"), first.getMessage());
        assertTrue(took < 10_000, "gave up on the trickling source after its timeout: " + took + " ms");
    }

    @Test
    void aSourceThatDropsTheGzipVariantsContentEncodingIsRefused() throws Exception {
        // the signature covers the gzip variant's digest but not its content-encoding: served
        // without the field, those bytes verify, and a client would take compressed bytes for
        // the directory (and learn no key from it)
        hostile = new HostileServer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", new byte[0], 0);
        AltoClient c = clientListing(hostile, Duration.ofSeconds(5));
        java.net.http.HttpResponse<byte[]> gz = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create(origin.uri() + "/directory"))
                        .header("Accept-Encoding", "gzip").build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", gz.headers().firstValue("content-encoding").orElse(null), "the directory has a gzip variant");
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (String name : List.of("content-type", "content-digest", "etag", "alto-resource", "signature-input", "signature")) {
            head.append(name).append(": ").append(gz.headers().firstValue(name).orElseThrow()).append("\r\n");
        }
        hostile.body = gz.body();
        hostile.head = head.append("Content-Length: ").append(gz.body().length).append("\r\n\r\n").toString();

        VerifiedDocument d = c.fetch("/directory");
        assertEquals(URI.create(origin.uri() + "/directory"), d.source(), "from the origin");
        ClientException first = d.refused().get(0);
        assertInstanceOf(ClientException.InvalidResponse.class, first, first.toString());
        assertTrue(first.getMessage().contains("CODING_MISMATCH"), first.getMessage());
    }

    @Test
    void aSourceThatClaimsAHugeBodyIsRefusedAtItsHead() throws Exception {
        hostile = new HostileServer("HTTP/1.1 200 OK\r\nContent-Type: application/alto-networkmap+json\r\n"
                + "Content-Length: 536870912\r\n\r\n", new byte[64 * 1024], 0);
        AltoClient c = clientListing(hostile, Duration.ofSeconds(5));
        VerifiedDocument d = c.fetch(LocalOrigin.NETWORK_MAP);
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), d.source(), "from the origin");
        ClientException first = d.refused().get(0);
        assertInstanceOf(ClientException.InvalidResponse.class, first, first.toString());
        assertTrue(first.getMessage().contains("536870912 bytes declared"), first.getMessage());
    }

    @Test
    void aSourceThatSendsMoreThanTheLargestDocumentIsCutOffAsItComes() throws Exception {
        // no length: the body runs until the source closes, 4 MB here, four times the bound
        hostile = new HostileServer("HTTP/1.1 200 OK\r\nContent-Type: application/alto-networkmap+json\r\n"
                + "Connection: close\r\n\r\n", new byte[4 << 20], 0);
        AltoClient c = clientListing(hostile, Duration.ofSeconds(5));
        VerifiedDocument d = c.fetch(LocalOrigin.NETWORK_MAP);
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), d.source(), "from the origin");
        ClientException first = d.refused().get(0);
        assertInstanceOf(ClientException.InvalidResponse.class, first, first.toString());
        assertTrue(first.getMessage().contains("over 1048576 bytes"), first.getMessage());
    }

    @Test
    void aBodyCutShortIsReportedAsTruncatedNotAsAnExceptionClass() throws Exception {
        hostile = new HostileServer("HTTP/1.1 200 OK\r\nContent-Type: application/alto-networkmap+json\r\n"
                + "Content-Length: 355\r\n\r\n", new byte[177], 0);
        AltoClient c = clientListing(hostile, Duration.ofSeconds(5));
        VerifiedDocument d = c.fetch(LocalOrigin.NETWORK_MAP);
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), d.source(), "from the origin");
        ClientException first = d.refused().get(0);
        assertEquals(hostile.uri() + LocalOrigin.NETWORK_MAP.substring(1) + ": truncated response (177 of 355 bytes)",
                first.getMessage());
        assertInstanceOf(ClientException.Unreachable.class, first, "a lost connection, as the failure types go");
    }

    @Test
    void anUpdateStreamDroppedMidWaySaysTheStreamClosedWithItsSource() throws Exception {
        // a chunked event stream that ends inside a chunk: the connection is lost, not the stream ended
        hostile = new HostileServer("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", "40\r\n: heartbeat\n\n".getBytes(StandardCharsets.US_ASCII), 0);
        AltoClient c = clientListing(hostile, Duration.ofSeconds(5));
        java.util.concurrent.BlockingQueue<ClientException> told = new java.util.concurrent.LinkedBlockingQueue<>();
        UpdateFollower f = c.follow(new UpdateFollower.Listener() {
            @Override
            public void changed(LocalAnswers answers) {
            }

            @Override
            public void refused(ClientException why) {
                told.add(why);
            }
        });
        try {
            ClientException first = told.poll(30, TimeUnit.SECONDS);
            assertEquals(hostile.uri() + "updates: the update stream from " + URI.create(hostile.uri()).getAuthority()
                    + " closed mid-way", String.valueOf(first == null ? null : first.getMessage()));
        } finally {
            f.close();
        }
    }
}

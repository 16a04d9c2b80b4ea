package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** The front end on a real socket: keep-alive, the connection limit, the idle timeout, a large body. */
class AltoHttpServerTest {

    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private AltoHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private AltoHttpServer start(FrontEndConfig config, AltoService service) {
        server = AltoHttpServer.start(config, service);
        return server;
    }

    private static FrontEndConfig loopback() {
        return FrontEndConfig.defaults("127.0.0.1", 0);
    }

    private static AltoService serving(Representation representation) {
        return request -> CompletableFuture.completedFuture(Reply.ok(representation));
    }

    private static Representation live(Variant identity) {
        return new Representation(identity, null, 60, Instant.now(), Instant.now().plus(Duration.ofHours(1)));
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(server.localAddress(), SOCKET_TIMEOUT_MS);
        s.setSoTimeout(SOCKET_TIMEOUT_MS);
        return s;
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
        start(loopback(), request -> CompletableFuture.completedFuture(Reply.ok(live(
                new Variant(Bytes.utf8("you asked " + request.path()), null,
                        List.of(new HeaderField("content-type", "text/plain")))))));
        try (Socket s = connect()) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (int i = 0; i < 5; i++) {
                get(s.getOutputStream(), "/r" + i);
                Raw r = Raw.read(in);
                assertEquals(200, r.status);
                assertEquals("you asked /r" + i, new String(r.body, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void connectionBeyondTheLimitGets503WhileOthersKeepWorking() throws IOException {
        start(loopback().withMaxConnections(2), serving(live(Fixtures.identity(Fixtures.JSON))));
        try (Socket a = connect(); Socket b = connect()) {
            InputStream inA = new BufferedInputStream(a.getInputStream());
            InputStream inB = new BufferedInputStream(b.getInputStream());
            // A full exchange on each proves both hold their place before the third arrives.
            get(a.getOutputStream(), "/networkmap");
            assertEquals(200, Raw.read(inA).status);
            get(b.getOutputStream(), "/networkmap");
            assertEquals(200, Raw.read(inB).status);

            try (Socket c = connect()) {
                InputStream inC = new BufferedInputStream(c.getInputStream());
                get(c.getOutputStream(), "/networkmap");
                Raw refused = Raw.read(inC);
                assertEquals(503, refused.status);
                assertEquals("1", refused.headers.get("retry-after"));
                assertEquals(MediaTypes.TEXT, refused.headers.get("content-type")); // a server condition: no ALTO code
                assertEquals(-1, inC.read(), "the refused connection is closed");
            }

            get(a.getOutputStream(), "/networkmap");
            assertEquals(200, Raw.read(inA).status);
            get(b.getOutputStream(), "/networkmap");
            assertEquals(200, Raw.read(inB).status);
        }
    }

    @Test
    void silentConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        start(loopback().withIdleTimeout(Duration.ofMillis(200)), serving(live(Fixtures.identity(Fixtures.JSON))));
        try (Socket s = connect()) {
            // Blocks until the server closes; the socket timeout only guards against a hang.
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void largeBodyIsServedIntact() throws Exception {
        byte[] big = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(big);
        start(loopback(), serving(live(new Variant(Bytes.wrap(big), null,
                List.of(new HeaderField("content-type", "application/octet-stream"), new HeaderField("etag", "\"big\""))))));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        InetSocketAddress at = server.localAddress();
        URI uri = URI.create("http://127.0.0.1:" + at.getPort() + "/big");
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertEquals("\"big\"", r.headers().firstValue("etag").orElseThrow());
            assertArrayEquals(big, r.body());
        }
    }

    @Test
    void bindFailureNamesTheAddress() {
        start(loopback(), serving(live(Fixtures.identity(Fixtures.JSON))));
        int port = server.localAddress().getPort();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", port), request -> null).close());
        assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void closeStopsAccepting() {
        start(loopback(), serving(live(Fixtures.identity(Fixtures.JSON))));
        InetSocketAddress at = server.localAddress();
        server.close();
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(at, SOCKET_TIMEOUT_MS);
            }
        });
    }

    @Test
    void requestsFollowedByAHalfCloseAreAnsweredThenTheConnectionCloses() throws IOException {
        // The answers wait until the client has closed its side; before, its end of input closed the connection.
        CompletableFuture<Void> halfClosed = new CompletableFuture<>();
        start(loopback(), request -> halfClosed.thenApply(v -> Reply.ok(live(Fixtures.identity(Fixtures.JSON)))));
        try (Socket s = connect()) {
            get(s.getOutputStream(), "/networkmap");
            get(s.getOutputStream(), "/networkmap");
            s.shutdownOutput();
            halfClosed.complete(null);
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertEquals(200, Raw.read(in).status);
            assertEquals(200, Raw.read(in).status);
            assertEquals(-1, in.read(), "closed after the last answer");
        }
    }

    @Test
    void halfCloseOfAnIdleConnectionClosesItAtOnce() throws IOException {
        start(loopback(), serving(live(Fixtures.identity(Fixtures.JSON))));
        try (Socket s = connect()) {
            get(s.getOutputStream(), "/networkmap");
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertEquals(200, Raw.read(in).status);
            s.shutdownOutput();
            assertEquals(-1, in.read(), "closed well before the 60 s idle timeout (the read times out after 10 s)");
        }
    }

    private static void get(OutputStream out, String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }


    /** A response read off a socket: status line, header fields (names lower case), content-length body. */
    private record Raw(int status, Map<String, String> headers, byte[] body) {
        static Raw read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new HashMap<>();
            for (String l; !(l = line(in)).isEmpty(); ) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("short body: " + body.length + " of " + length);
            }
            return new Raw(status, headers, body);
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("connection closed mid-line");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }
    }
}

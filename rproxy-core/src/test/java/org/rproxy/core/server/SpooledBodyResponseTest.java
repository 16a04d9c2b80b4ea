package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.Variant;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * Bodies the store spooled go out from their file (sendfile) on plain HTTP/1.1, byte for byte,
 * pipelined with other answers, and never under TLS or in HTTP/2, where they are copied from
 * memory; a client that leaves in the middle of a body gives the file back. Real servers on
 * loopback; every buffer released (LeakGuard).
 */
class SpooledBodyResponseTest {
    private static final byte[] BIG = random(300_000, 1);
    private static final byte[] BIG_GZ = random(70_000, 2);

    @TempDir
    Path dir;
    BodySpool spool;
    RepresentationStore<String> store;
    AltoHttpServer server;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @BeforeEach
    void open() {
        spool = BodySpool.open(dir, 64 * 1024);
        store = RepresentationStore.boundedBy(1 << 26, spool);
        store.put("doc", representation(BIG, BIG_GZ));
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        spool.close();
    }

    private static Representation representation(byte[] identity, byte[] gzip) {
        return new Representation(
                new Variant(Bytes.copyOf(identity), null, Fixtures.signedHeaders(Fixtures.IDENTITY_TAG, "id")),
                new Variant(Bytes.copyOf(gzip), "gzip", Fixtures.signedHeaders(Fixtures.GZIP_TAG, "gz")),
                300, EmbeddedFrontEnd.NOW.minusSeconds(10), EmbeddedFrontEnd.NOW.plus(Duration.ofHours(1)));
    }

    private void start(FrontEndConfig config) {
        server = AltoHttpServer.start(config.withSpool(spool),
                request -> CompletableFuture.completedFuture(Reply.ok(store.get("doc"))),
                RequestObserver.noop(), EmbeddedFrontEnd.CLOCK);
    }

    private static byte[] readBody(InputStream in, String head) throws Exception {
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length: ");
        int n = Integer.parseInt(lower.substring(at + 16, lower.indexOf("\r\n", at)).trim());
        return in.readNBytes(n);
    }

    @Test
    void plainHttp11SendsTheFileByteForBytePipelinedWithOtherAnswers() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0));
        try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /doc HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /doc HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"
                    + "HEAD /doc HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /doc HTTP/1.1\r\nHost: a\r\nIf-None-Match: " + Fixtures.IDENTITY_TAG + "\r\n\r\n"
                    + "GET /doc HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();

            String first = SocketReads.readHead(in);
            assertTrue(first.startsWith("HTTP/1.1 200"), first);
            assertTrue(first.toLowerCase(Locale.ROOT).contains("etag: " + Fixtures.IDENTITY_TAG), first);
            assertArrayEquals(BIG, readBody(in, first));
            String gz = SocketReads.readHead(in);
            assertTrue(gz.toLowerCase(Locale.ROOT).contains("content-encoding: gzip"), gz);
            assertArrayEquals(BIG_GZ, readBody(in, gz));
            String head = SocketReads.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200") && head.contains("content-length: " + BIG.length), head);
            String notModified = SocketReads.readHead(in);
            assertTrue(notModified.startsWith("HTTP/1.1 304"), notModified);
            String last = SocketReads.readHead(in);
            assertArrayEquals(BIG, readBody(in, last));
        }
        assertEquals(3, spool.sends(), "the three bodies, from their files");
    }

    @Test
    void aBoundedSendBufferTakesTheFileInManyPiecesAndDeliversItWhole() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withSendBufferBytes(64 * 1024));
        try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            s.setReceiveBufferSize(8 * 1024);
            s.getOutputStream().write(("GET /doc HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /doc HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String first = SocketReads.readHead(in);
            // Linux doubles SO_SNDBUF for its bookkeeping (the JDK halves what it reads back under
            // NIO); either way 300 KB cannot go out in one call
            int reported = Transport.current() == Transport.EPOLL ? 128 * 1024 : 64 * 1024;
            assertEquals(List.of(reported), server.connectionSendBuffers());
            assertArrayEquals(BIG, readBody(in, first));
            String gz = SocketReads.readHead(in);
            assertArrayEquals(BIG_GZ, readBody(in, gz));
        }
        assertEquals(2, spool.sends(), "both bodies from their files");
    }

    @Test
    void underTlsTheBodyIsCopiedFromMemoryInHttp11AndHttp2() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        start(FrontEndConfig.defaults("127.0.0.1", 0).withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))));
        for (HttpClient.Version version : HttpClient.Version.values()) {
            HttpClient client = HttpClient.newBuilder().sslContext(Tls.jdkClient(cert.cert())).version(version)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(
                            URI.create("https://localhost:" + server.localAddress().getPort() + "/doc"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(version, r.version());
            assertEquals(200, r.statusCode());
            assertArrayEquals(BIG, r.body());
        }
        assertEquals(0, spool.sends(), "nothing sent from a file through TLS");
    }

    @Test
    void aClientLeavingMidBodyGivesTheFileBackSoAReplacedOneIsDeleted() throws Exception {
        byte[] large = random(8 << 20, 3);
        store.put("doc", representation(large, BIG_GZ));
        start(FrontEndConfig.defaults("127.0.0.1", 0));
        Path file;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(server.localAddress());
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /doc HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = SocketReads.readHead(s.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertEquals(1024, s.getInputStream().readNBytes(1024).length);
            assertEquals(1, spool.sends());
            file = largestFile();
            // Replaced while 8 MB are still to go: more than any socket buffer holds, so the write is under way.
            store.put("doc", representation(BIG, BIG_GZ));
            assertTrue(Files.exists(file), "the response under way keeps it");
        }
        assertTrue(await(() -> !Files.exists(file) && spool.spooledBytes() == BIG.length + BIG_GZ.length),
                "deleted once the connection has gone: " + spool.spooledBytes());
    }

    private Path largestFile() throws Exception {
        try (var files = Files.list(spool.directory())) {
            return files.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
    }

    /** Polls {@code condition} for up to 20 s: the server sees the client gone on its own time. */
    static boolean await(BooleanSupplier condition) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        return true;
    }

    @Test
    void withoutASpoolNothingChanges() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0),
                request -> CompletableFuture.completedFuture(Reply.ok(store.get("doc"))),
                RequestObserver.noop(), EmbeddedFrontEnd.CLOCK);
        try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /doc HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = SocketReads.readHead(s.getInputStream());
            assertArrayEquals(BIG, readBody(s.getInputStream(), head));
        }
        assertFalse(spool.sends() > 0);
    }
}

package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.Variant;

/**
 * An answer handed to the socket but not yet all sent (a large map to a client that reads it
 * slowly, with a small send buffer) still arrives whole when the client closes its side after
 * the request (half-close), or when the server stops: the connection closes after its last
 * byte, not at once. Real sockets, since only a real socket holds bytes back; bodies in memory
 * and spooled files.
 */
class AnswerInFlightTest {

    private static final int SIZE = 4 * 1024 * 1024;
    private static final byte[] BODY = new byte[SIZE];

    static {
        new Random(7).nextBytes(BODY);
    }

    @TempDir
    Path dir;

    private AltoHttpServer server;
    private BodySpool spool;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (spool != null) {
            spool.close();
        }
    }

    private void serve(boolean spooled) {
        Representation doc = new Representation(new Variant(Bytes.copyOf(BODY), null,
                List.of(new HeaderField("content-type", "application/octet-stream"), new HeaderField("etag", "\"m\""))),
                null, 60, Instant.now(), Instant.now().plus(Duration.ofHours(1)));
        FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0).withSendBufferBytes(16 * 1024)
                .withIdleTimeout(Duration.ofSeconds(20));
        if (spooled) {
            spool = BodySpool.open(dir, 64 * 1024);
            RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 26, spool);
            store.put("m", doc);
            doc = store.get("m");
            config = config.withSpool(spool);
        }
        Representation served = doc;
        server = AltoHttpServer.start(config, request -> CompletableFuture.completedFuture(Reply.ok(served)));
    }

    private Socket ask(boolean halfClose) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 * 1024);
        s.connect(server.localAddress(), 5_000);
        s.setSoTimeout(20_000);
        s.getOutputStream().write("GET /m HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        if (halfClose) {
            s.shutdownOutput();
        }
        return s;
    }

    /** Reads the head, waits (the server's side fills up meanwhile), then the rest: the whole body, then the end. */
    private static void readWhole(Socket s, Runnable meanwhile) throws Exception {
        InputStream in = s.getInputStream();
        String head = SocketReads.readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertTrue(head.toLowerCase(Locale.ROOT).contains("content-length: " + SIZE), head);
        meanwhile.run();
        byte[] got = in.readNBytes(SIZE);
        assertEquals(SIZE, got.length, "the whole body, not cut when the connection closed");
        assertArrayEquals(BODY, got);
        assertEquals(-1, in.read(), "then the end of the stream");
    }

    @ParameterizedTest(name = "spooled: {0}")
    @ValueSource(booleans = {false, true})
    void aClientThatClosesItsSideAfterTheRequestGetsTheWholeAnswer(boolean spooled) throws Exception {
        serve(spooled);
        try (Socket s = ask(true)) {
            readWhole(s, () -> sleep(300));
        }
    }

    @ParameterizedTest(name = "spooled: {0}")
    @ValueSource(booleans = {false, true})
    void anAnswerUnderWayWhenTheServerStopsArrivesWhole(boolean spooled) throws Exception {
        serve(spooled);
        try (Socket s = ask(false)) {
            CompletableFuture<Void> stopping = new CompletableFuture<>();
            readWhole(s, () -> {
                sleep(200);
                CompletableFuture.runAsync(server::close).whenComplete((v, e) -> stopping.complete(null));
                sleep(300);
            });
            stopping.get(30, TimeUnit.SECONDS);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;

/**
 * The idle timeout still holds after 200s written with a head shared by the responses of one
 * second ({@link EncodedResponse}, which carries no {@code LastHttpContent}): each is a whole
 * answer, so a connection that then goes quiet, or dribbles its next request head, is closed.
 * Real sockets and the real clock, since a head is shared only within one wall-clock second.
 */
class SharedHeadDeadlineTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final int PIPELINED = 6;
    private static final int SPOOLED = 64 * 1024;

    @TempDir
    Path dir;

    private AltoHttpServer server;
    private BodySpool spool;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (spool != null) {
            spool.close();
        }
    }

    /** A document of {@code size} bytes, held in memory or (large) spooled to a file. */
    private void serve(int size) throws IOException {
        Representation doc = Fixtures.octetStream(Fixtures.alphabet(size), "\"d\"");
        FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT);
        if (size >= SPOOLED) {
            spool = BodySpool.open(dir, SPOOLED);
            RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 26, spool);
            store.put("d", doc);
            doc = store.get("d");
            assertTrue(spool.spooledBytes() >= size, "spooled: " + spool.spooledBytes());
            config = config.withSpool(spool);
        }
        Representation served = doc;
        server = AltoHttpServer.start(config, request -> CompletableFuture.completedFuture(Reply.ok(served)));
    }

    @ParameterizedTest(name = "a body of {0} bytes")
    @ValueSource(ints = {2_000, 300_000})
    void aConnectionQuietAfterSharedHeadAnswersIsClosedAtTheTimeout(int size) throws Exception {
        serve(size);
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            s.setSoTimeout((int) TIMEOUT.toMillis() * 10);
            askAndReadAll(s, size);
            if (spool != null) {
                assertTrue(spool.sends() > 0, "sent from the file");
            }
            long quiet = System.nanoTime();
            assertEquals(-1, readOrTimeOut(s.getInputStream()), "closed, without an answer");
            long waited = (System.nanoTime() - quiet) / 1_000_000;
            assertTrue(waited >= TIMEOUT.toMillis() / 2, "not before the timeout: " + waited + " ms");
        }
    }

    @ParameterizedTest(name = "a body of {0} bytes")
    @ValueSource(ints = {2_000, 300_000})
    void aHeadDribbledAfterSharedHeadAnswersIsClosedAtTheTimeout(int size) throws Exception {
        serve(size);
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            s.setSoTimeout((int) TIMEOUT.toMillis() * 10);
            askAndReadAll(s, size);
            OutputStream out = s.getOutputStream();
            out.write("GET /d HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int i = 0; i < 6; i++) {
                Thread.sleep(TIMEOUT.toMillis() / 3);
                try {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException closed) {
                    break; // the server closed it: what is asserted next
                }
            }
            assertEquals(-1, readOrTimeOut(s.getInputStream()), "closed while the head was dribbled");
        }
    }

    /** Sends {@value #PIPELINED} GETs at once (in one second, most share a head) and reads every answer whole. */
    private static void askAndReadAll(Socket s, int size) throws IOException {
        s.getOutputStream().write("GET /d HTTP/1.1\r\nHost: a\r\n\r\n".repeat(PIPELINED).getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        for (int i = 0; i < PIPELINED; i++) {
            String head = SocketReads.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("content-length: " + size), head);
            assertEquals(size, in.readNBytes(size).length);
        }
    }

    /** The next byte, or -1 at the end of the stream; fails when the connection stays open past the read timeout. */
    private static int readOrTimeOut(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the connection stayed open for " + stillOpen.getMessage(), stillOpen);
        }
    }
}

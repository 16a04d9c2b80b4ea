package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.rproxy.core.store.Representation;

/**
 * A client that asks for a large document and never reads it gives its connection (and the
 * outbound buffer behind it) back after one idle timeout; a client that reads slowly but steadily
 * keeps it. Real sockets, since only a real socket pushes back.
 * The cases run at once: each has its own server and socket, and mostly waits, for the idle
 * timeout or on its reader's beat.
 */
@Execution(ExecutionMode.CONCURRENT)
class WriteStallTest {

    // Long enough that a loaded machine's scheduling gaps never read as a stalled reader.
    private static final Duration TIMEOUT = Duration.ofMillis(1000);
    private static final int READ_TIMEOUT_MS = 10_000;

    private AltoHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(int size) {
        serve(size, FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT));
    }

    private void serve(int size, FrontEndConfig config) {
        Representation doc = Fixtures.octetStream(Fixtures.alphabet(size), "\"big\"");
        server = AltoHttpServer.start(config, request -> CompletableFuture.completedFuture(Reply.ok(doc)));
    }

    /** A socket with a small receive window, so the server's writes stall as soon as it stops reading. */
    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 * 1024);
        s.connect(server.localAddress(), READ_TIMEOUT_MS);
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    private static void ask(Socket s) throws IOException {
        s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    @Test
    void aClientThatNeverReadsLosesItsConnectionAfterTheTimeout() throws Exception {
        int size = 32 * 1024 * 1024;
        serve(size);
        try (Socket s = connect()) {
            ask(s);
            // The client stalls until the server has given the connection up (it never would if it
            // waited for the write to finish); only then does it read what had reached it.
            // (The answer's first bytes waiting unread show the server accepted the connection,
            // whether or not it has closed it yet.)
            assertTrue(SpooledBodyResponseTest.await(() -> available(s) > 0), "the answer never began");
            assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(30)), "the stalled connection was kept");
            long received = drain(s.getInputStream());
            assertTrue(received < size, "the server gave up on the stalled answer; received " + received);
        }
    }

    /**
     * The server's send buffer is bounded, so the answer waits in the server's outbound buffer while
     * the client reads, where the write-progress rule is at work. Left to the kernel's autotuning
     * (up to {@code net.ipv4.tcp_wmem}'s 4 MB), the whole 4 MB answer could be handed to the kernel
     * at once: the answer was then fully written, the connection idle by the server's rule, and a
     * client on a loaded machine reading that tail for longer than the idle timeout had its
     * connection closed before its second request ("closed in the head", 5 of 7 runs at load 22).
     */
    @Test
    void aClientThatReadsSlowlyButSteadilyGetsEveryByteAndKeepsTheConnection() throws Exception {
        int size = 4 * 1024 * 1024;
        serve(size, FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT).withSendBufferBytes(16 * 1024));
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            for (int round = 0; round < 2; round++) {
                ask(s);
                String head = SocketReads.readHead(in);
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                byte[] chunk = new byte[32 * 1024];
                long left = size;
                while (left > 0) {
                    int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                    assertTrue(n > 0, "connection closed with " + left + " bytes left");
                    left -= n;
                    Thread.sleep(2); // a slow reader, far inside the timeout between reads
                }
                assertEquals(0, left);
            }
        }
    }

    @Test
    void aClientThatReadsSlowerThanOneTimeoutAllowsForTheWholeBodyKeepsItWhileItMakesProgress() throws Exception {
        // 4 MB through a 16 KB send buffer at 16 KB per 20 ms: about 5 s, five timeouts; the
        // body is one message, so the channel stays unwritable until its last byte is out
        int size = 4 * 1024 * 1024;
        serve(size, FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT).withSendBufferBytes(16 * 1024));
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            ask(s);
            String head = SocketReads.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            byte[] chunk = new byte[16 * 1024];
            long left = size;
            long start = System.nanoTime();
            while (left > 0) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                assertTrue(n > 0, "connection closed with " + left + " bytes left");
                left -= n;
                Thread.sleep(20);
            }
            assertTrue(System.nanoTime() - start > TIMEOUT.toNanos() * 2, "slower than the timeout allows for the whole");
        }
    }

    private static int available(Socket s) {
        try {
            return s.getInputStream().available();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
        }
        return total;
    }
}

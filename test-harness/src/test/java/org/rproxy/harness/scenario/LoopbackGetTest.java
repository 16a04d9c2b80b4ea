package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class LoopbackGetTest {

    @Test
    void readsTheStatusOfAWholeAnswer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> serveOnce(server,
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
            LoopbackGet.Answer a = LoopbackGet.get(server.getLocalPort(), "/directory", 10_000);
            served.get(10, TimeUnit.SECONDS);
            assertEquals(503, a.status());
            assertTrue(a.micros() > 0);
        }
    }

    @Test
    void anAnswerThatNeverEndsIsATimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket held = new Socket()) {
            held.connect(server.getLocalSocketAddress());
            // The backlog holds the probe's connection; nobody answers it.
            LoopbackGet.Answer a = LoopbackGet.get(server.getLocalPort(), "/readyz", 300);
            assertEquals(LoopbackGet.TIMEOUT, a.status());
            assertTrue(a.micros() >= 290_000 && a.micros() < 5_000_000, "timed out after " + a.micros() + " us");
        }
    }

    @Test
    void aConnectionClosedWithoutAStatusLineFailed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> serveOnce(server, ""));
            LoopbackGet.Answer a = LoopbackGet.get(server.getLocalPort(), "/directory", 10_000);
            served.get(10, TimeUnit.SECONDS);
            assertEquals(LoopbackGet.FAILED, a.status());
        }
    }

    @Test
    void descriptorsOfThisProcessAreCounted() {
        if (!System.getProperty("os.name").startsWith("Linux")) {
            return;
        }
        long pid = ProcessHandle.current().pid();
        assertTrue(NodeSampler.openDescriptors(pid) > 0);
        assertTrue(NodeSampler.openFilesLimit(pid) > 0);
    }

    /** Reads one request head and writes {@code answer}, then closes. */
    private static void serveOnce(ServerSocket server, String answer) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            for (int b; !seen.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0; ) {
                seen.append((char) b);
            }
            s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

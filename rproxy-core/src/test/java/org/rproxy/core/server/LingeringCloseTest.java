package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * An HTTP/1.1 request refused at its head while its body is still on the wire (413, 415) is
 * answered and the connection closed, but the client, still writing, must get to read the answer:
 * the server keeps reading and dropping what comes ({@link LingeringClose}) instead of closing with
 * unread input, which makes the kernel send a reset (the client's write fails, and a client that
 * stops at a failed write never reads the answer). Real sockets, each client's send buffer small,
 * so its body is far from fitting in the kernel's buffers when the answer comes. Each case has a
 * server and clients of its own, and the longest mostly wait (for the linger's silence bound, or
 * a slow sender's beat over twice that), so they run three at a time.
 */
@Execution(ExecutionMode.CONCURRENT)
class LingeringCloseTest {

    private static final int SEND_BUFFER = 64 * 1024;
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private AltoHttpServer server;
    private AltoHttpServer tlsServer;
    @TempDir
    Path dir;
    private final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0),
                request -> {
                    calls.incrementAndGet();
                    return java.util.concurrent.CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip()));
                });
    }

    @AfterEach
    void stop() {
        server.close();
        if (tlsServer != null) {
            tlsServer.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.setSendBufferSize(SEND_BUFFER);
        s.setSoTimeout(SOCKET_TIMEOUT_MS);
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), SOCKET_TIMEOUT_MS);
        return s;
    }

    /** The head and a body of {@code length} bytes, written in one go (the write returns once all is sent). */
    private static void sendAll(OutputStream out, String headFields, int length) throws IOException {
        byte[] head = ("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n" + headFields
                + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + length];
        System.arraycopy(head, 0, all, 0, head.length);
        out.write(all);
        out.flush();
    }

    /** Reads one answer (head and Content-Length body); returns the head then the body. */
    private static String[] readAnswer(InputStream in) throws IOException {
        String head = SocketReads.readHead(in);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return new String[] {head, new String(in.readNBytes(length), StandardCharsets.UTF_8)};
    }

    @Test
    void aClientSendingATooLargeBodyInOneGoReadsThe413() throws IOException {
        int length = 2 * FrontEndConfig.DEFAULT_MAX_BODY_BYTES;
        try (Socket s = connect()) {
            sendAll(s.getOutputStream(), "", length);
            String[] answer = readAnswer(s.getInputStream());
            assertTrue(answer[0].startsWith("HTTP/1.1 413 "), answer[0]);
            assertTrue(answer[0].toLowerCase(Locale.ROOT).contains("connection: close"), answer[0]);
            String reason = "request body larger than " + FrontEndConfig.DEFAULT_MAX_BODY_BYTES + " bytes";
            assertEquals("{\"meta\":{\"code\":\"E_SYNTAX\",\"syntax-error\":\"" + reason + "\",\"message\":\""
                    + reason + "\"}}", answer[1]);
            assertEquals(-1, s.getInputStream().read(), "the server has closed its side after the answer");
        }
        assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(10)));
        assertEquals(0, calls.get());
    }

    @Test
    void aClientSendingAContentCodedBodyInOneGoReadsThe415() throws IOException {
        int length = FrontEndConfig.DEFAULT_MAX_BODY_BYTES;
        try (Socket s = connect()) {
            sendAll(s.getOutputStream(), "Content-Encoding: gzip\r\n", length);
            String[] answer = readAnswer(s.getInputStream());
            assertTrue(answer[0].startsWith("HTTP/1.1 415 "), answer[0]);
            assertTrue(answer[0].toLowerCase(Locale.ROOT).contains("accept-encoding: identity"), answer[0]);
            assertTrue(answer[1].contains("\"field\":\"content-encoding\""), answer[1]);
            assertEquals(-1, s.getInputStream().read());
        }
        assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(10)));
        assertEquals(0, calls.get());
    }

    /** Over TLS the connection lingers the same way, without the half-close (the client reads the answer by its length). */
    @Test
    void overTlsTooTheClientReadsThe413() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        tlsServer = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))), request -> {
                    calls.incrementAndGet();
                    return java.util.concurrent.CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip()));
                });
        int length = 2 * FrontEndConfig.DEFAULT_MAX_BODY_BYTES;
        try (SSLSocket s = (SSLSocket) Tls.jdkClient(cert.cert()).getSocketFactory().createSocket()) {
            s.setSendBufferSize(SEND_BUFFER);
            s.setSoTimeout(SOCKET_TIMEOUT_MS);
            s.connect(new InetSocketAddress("127.0.0.1", tlsServer.localAddress().getPort()), SOCKET_TIMEOUT_MS);
            SSLParameters params = s.getSSLParameters();
            params.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(params);
            s.startHandshake();
            sendAll(s.getOutputStream(), "", length);
            String[] answer = readAnswer(s.getInputStream());
            assertTrue(answer[0].startsWith("HTTP/1.1 413 "), answer[0]);
            assertTrue(answer[1].contains("request body larger than"), answer[1]);
        }
        assertTrue(tlsServer.awaitConnectionsClosed(Duration.ofSeconds(10)), "closed once the client closes");
        assertEquals(0, calls.get());
    }

    /**
     * A client that writes its whole body before it reads (as a blocking client does) and sends it
     * slowly but steadily, for longer than the linger's silence bound after the answer, still reads
     * the answer: the linger lasts while bytes keep coming. (It once lasted {@code 2 s} from the
     * answer however they came, so such a client met the reset; so did
     * {@link #overTlsTooTheClientReadsThe413} on a loaded machine, whose client took over 2 s to
     * encrypt and send its 2 MB.)
     */
    @Test
    void aClientSendingItsBodySlowlyButSteadilyPastTheSilenceBoundReadsThe413() throws Exception {
        byte[] chunk = new byte[16 * 1024];
        long writes = 2 * LingeringClose.SILENCE_MILLIS / 100; // at least twice the bound, a write per 100 ms
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: "
                    + (2 * FrontEndConfig.DEFAULT_MAX_BODY_BYTES) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (long i = 0; i < writes; i++) {
                out.write(chunk);
                out.flush();
                Thread.sleep(100); // a slow sender, far inside the silence bound between writes
            }
            String[] answer = readAnswer(s.getInputStream());
            assertTrue(answer[0].startsWith("HTTP/1.1 413 "), answer[0]);
            s.shutdownOutput();
            assertEquals(-1, s.getInputStream().read());
        }
        assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(10)));
        assertEquals(0, calls.get());
    }

    /** The linger is bounded in bytes: a client that goes on sending is cut (and meets the reset). */
    @Test
    void aClientThatGoesOnSendingPastTheLingerIsCut() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            byte[] more = new byte[1024 * 1024];
            assertThrows(IOException.class, () -> {
                sendAll(out, "", (int) LingeringClose.MAX_BYTES + 1);
                for (int i = 0; i < 64; i++) {
                    out.write(more);
                }
            }, "cut after at most " + LingeringClose.MAX_BYTES + " bytes dropped (or the linger's time)");
        }
        assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(10)));
    }

    /** And in time: a client that sends no more and never closes is closed after the linger. */
    @Test
    void aSilentClientIsClosedAfterTheLinger() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: "
                    + (2 * FrontEndConfig.DEFAULT_MAX_BODY_BYTES) + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readAnswer(s.getInputStream())[0].startsWith("HTTP/1.1 413 "));
            assertEquals(-1, s.getInputStream().read());
            assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(10)), "closed by the server after the linger");
        }
    }
}

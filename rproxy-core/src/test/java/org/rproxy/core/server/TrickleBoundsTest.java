package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

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
 * A client that trickles what it sends, a byte per beat, holds its connection no longer than the
 * idle timeout, however long it goes on: a read of a few bytes never restarts the clock. An
 * HTTP/1.1 request line (slowloris), the HTTP/2 preface, an HTTP/2 HEADERS frame (no stream is
 * open until its block ends, so the connection's idle clock runs), and a TLS handshake record.
 * Real sockets, an idle
 * timeout of 1 s; each client trickles for up to {@link #MOST} and must see its connection closed
 * well before.
 */
@Execution(ExecutionMode.CONCURRENT)
class TrickleBoundsTest {

    private static final Duration IDLE = Duration.ofSeconds(1);
    private static final long BEAT_MILLIS = 100;
    private static final Duration MOST = Duration.ofSeconds(30);

    private AltoHttpServer server;
    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(IDLE),
                Fixtures.serving(Fixtures.identityOnly()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anHttp1RequestLineTrickledIsClosed() throws Exception {
        byte[] endless = ("GET /" + "a".repeat(4000)).getBytes(StandardCharsets.US_ASCII);
        assertClosedWhileTrickling(new byte[0], endless);
    }

    @Test
    void anHttp2PrefaceTrickledIsClosed() throws Exception {
        assertClosedWhileTrickling(new byte[0], "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void anHttp2HeadersFrameTrickledIsClosed() throws Exception {
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] settings = {0, 0, 0, RawHttp2Client.SETTINGS, 0, 0, 0, 0, 0};
        byte[] opening = new byte[preface.length + settings.length];
        System.arraycopy(preface, 0, opening, 0, preface.length);
        System.arraycopy(settings, 0, opening, preface.length, settings.length);
        // a HEADERS frame (END_HEADERS, END_STREAM) on stream 1 whose 16,000-byte block comes a byte per beat
        byte[] frame = new byte[9 + 16_000];
        frame[1] = (byte) (16_000 >> 8);
        frame[2] = (byte) (16_000 & 0xff);
        frame[3] = RawHttp2Client.HEADERS;
        frame[4] = RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM;
        frame[8] = 1;
        assertClosedWhileTrickling(opening, frame);
    }

    /** A TLS ClientHello trickled: the handshake never ends, and the idle timeout ends the connection all the same. */
    @Test
    void aTlsHandshakeTrickledIsClosed() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        server.close();
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(IDLE)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))), Fixtures.serving(Fixtures.identityOnly()));
        // a handshake record (TLS 1.2 framing) announcing 16,000 bytes, which come a byte per beat
        byte[] record = new byte[5 + 16_000];
        record[0] = 0x16;
        record[1] = 0x03;
        record[2] = 0x03;
        record[3] = (byte) (16_000 >> 8);
        record[4] = (byte) (16_000 & 0xff);
        assertClosedWhileTrickling(new byte[0], record);
    }

    /** Sends {@code opening} at once, then {@code trickle} a byte per beat, until the server closes the connection. */
    private void assertClosedWhileTrickling(byte[] opening, byte[] trickle) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), (int) MOST.toMillis());
            s.setSoTimeout(1);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(opening);
            out.flush();
            long end = System.nanoTime() + MOST.toNanos();
            for (int i = 0; System.nanoTime() < end; i++) {
                try {
                    out.write(trickle[i % trickle.length]);
                    out.flush();
                } catch (IOException closed) {
                    return; // reset: the server closed it
                }
                if (closedByServer(in)) {
                    return;
                }
                Thread.sleep(BEAT_MILLIS); // the trickle's pace, not a wait for the server
            }
            throw new AssertionError("still open after trickling for " + MOST);
        } finally {
            assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(30)), "the server's side is closed");
        }
    }

    /** Reads what the server sent (a SETTINGS, say) without blocking; true at the end of the stream or a reset. */
    private static boolean closedByServer(InputStream in) {
        try {
            byte[] got = new byte[4096];
            while (true) {
                if (in.read(got) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException nothingYet) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}

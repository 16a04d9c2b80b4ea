package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;
import org.rproxy.core.config.TlsConfig;

/**
 * The floods of {@link Http2FloodTest} where TLS changes the path of the bytes, over TLS with
 * {@code h2} chosen by ALPN: the resets are counted after decryption as before, and the
 * acknowledgements a peer never reads wait in the TLS handler's queue as well as the codec's,
 * where the same limit ends the connection. A second client, over TLS too, is served meanwhile.
 * The server's send buffers are small ({@code sendBufferBytes}), so that a peer reading nothing
 * pushes back soon.
 */
class Http2TlsFloodTest {

    @TempDir
    Path dir;
    private HostileHttp2Target target;
    private SSLContext clientTls;

    @BeforeEach
    void start() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))).withSendBufferBytes(16 * 1024));
        clientTls = Tls.jdkClient(cert.cert());
    }

    @AfterEach
    void stop() throws Exception {
        if (target != null) {
            target.stop();
        }
    }

    private void anotherClientIsServed() throws Exception {
        RawHttp2Client other = target.add(new RawHttp2Client(target.address(), clientTls, 0)).startReading();
        other.get(1, "/doc", true);
        assertEquals("200", other.status(1).get(RawHttp2Client.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    /**
     * Rapid reset over TLS: ENHANCE_YOUR_CALM, as in cleartext. Not run again on NIO (tagged
     * {@code transport-neutral}): each round waits for the server, so nothing is held back by a
     * full socket, and what is left is TLS's reads, which the other case takes on NIO, and the
     * codec's count after them, which {@link Http2FloodTest}'s rapid reset takes there.
     */
    @Test
    @Tag("transport-neutral")
    void rapidResetOverTlsEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), clientTls, 0)).startReading();
        int sent = 0;
        boolean served = true;
        for (int round = 0; round < 100 && served; round++) {
            for (int i = 0; i < 10; i++, sent++) {
                int stream = 2 * sent + 1;
                c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, stream,
                        RawHttp2Client.requestHead("GET", "/doc"));
                c.rstStream(stream, 0x8);
            }
            served = c.sync();
        }
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, c.goAwayCode(), "after " + sent + " resets");
        c.awaitClosed();
        anotherClientIsServed();
    }

    /**
     * PINGs whose acknowledgements are never read, over TLS: the connection ends (Netty's 10,000
     * queued control frames). Fails if that limit is turned off.
     */
    @Test
    void pingsWhoseAcknowledgementsAreNeverReadOverTlsEndTheConnection() throws Exception {
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), clientTls, 4096));
        long sent = 0;
        boolean ended = false;
        try {
            for (int batch = 0; batch < 2_000; batch++) {
                for (int i = 0; i < 1_000; i++) {
                    c.ping(sent++);
                }
                c.flush();
            }
        } catch (IOException closed) {
            ended = true;
        }
        assertTrue(ended, "the server still reads after " + sent + " unacknowledged PINGs");
        anotherClientIsServed();
    }
}

package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.testing.Loopbacks;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * A connection past {@link FrontEndConfig#maxConnectionsPerAddress} or
 * {@link FrontEndConfig#maxConnections} is refused in the protocol its client speaks, over real
 * sockets: an HTTP/2 client (cleartext with prior knowledge, or TLS with ALPN {@code h2}) reads the
 * server's preface (SETTINGS) and a GOAWAY with last stream 0, ENHANCE_YOUR_CALM for its address's
 * excess or REFUSED_STREAM for the node's, and the refusal's text; an HTTP/1.1 client, over TLS
 * too, and one that says nothing, the 503.
 */
class RefusedHttp2ClientTest {

    private static final Duration WAIT = Http2TestClient.WAIT;
    private static final InetAddress ONE = Loopbacks.FIRST;
    private static final InetAddress TWO = Loopbacks.SECOND;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String GET = "GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String FROM_ADDRESS = "too many connections from this address (1 at most); close one, or retry later";

    @TempDir
    Path dir;
    private final OpenSockets open = new OpenSockets();
    private AltoHttpServer server;

    @AfterEach
    void stop() throws Exception {
        open.closeAll(server);
    }

    private Socket connect(InetAddress from) throws IOException {
        return open.connect(from, server.localAddress());
    }

    /** A connection from {@code from} that is served, holding its place. */
    private void servedFrom(InetAddress from) throws IOException {
        Socket s = connect(from);
        s.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
        assertEquals("200", SocketReads.readAnswer(s).status());
    }

    /** One frame as read: type, flags, stream, payload. */
    private record Frame(int type, int flags, int stream, byte[] payload) {
    }

    private static Frame readFrame(DataInputStream in) throws IOException {
        byte[] head = new byte[9];
        in.readFully(head);
        int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
        if (length > 16_384) { // past the default SETTINGS_MAX_FRAME_SIZE: not a frame at all
            throw new AssertionError("not an HTTP/2 frame, the server wrote: "
                    + new String(head, StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n"));
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(head[3], head[4], ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff, payload);
    }

    /**
     * Speaks HTTP/2 with prior knowledge on {@code s} (preface, SETTINGS, a request on stream 1)
     * and expects SETTINGS, then GOAWAY with last stream 0, {@code code} and {@code text}, then the
     * end of the stream.
     */
    private static void assertRefusedInHttp2(Socket s, long code, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(PREFACE);
        out.write(new byte[] {0, 0, 0, RawHttp2Client.SETTINGS, 0, 0, 0, 0, 0});
        byte[] head = RawHttp2Client.requestHead("GET", "/networkmap");
        out.write(new byte[] {0, 0, (byte) head.length, RawHttp2Client.HEADERS,
                RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 0, 0, 0, 1});
        out.write(head);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        Frame settings = readFrame(in);
        assertEquals(RawHttp2Client.SETTINGS, settings.type(), "the server's preface: SETTINGS first");
        assertEquals(0, settings.flags() & RawHttp2Client.ACK, "not an acknowledgement");
        Frame goAway = readFrame(in);
        assertEquals(RawHttp2Client.GOAWAY, goAway.type(), "then GOAWAY");
        assertEquals(0, goAway.stream());
        ByteBuffer p = ByteBuffer.wrap(goAway.payload());
        assertEquals(0, p.getInt() & 0x7fffffff, "last stream 0: nothing processed, every request may be sent again");
        assertEquals(code, Integer.toUnsignedLong(p.getInt()), "the GOAWAY's error code");
        assertEquals(text, new String(goAway.payload(), 8, goAway.payload().length - 8, StandardCharsets.UTF_8));
        try {
            assertEquals(-1, in.read(), "nothing after the GOAWAY: the connection ends");
        } catch (EOFException | java.net.SocketException reset) {
            throw new AssertionError("the connection was reset after the GOAWAY, which a reset may destroy", reset);
        }
    }

    @Test
    void anHttp2ClientPastItsAddressLimitIsToldToCalmDownInHttp2() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1),
                Fixtures.serving(Fixtures.identityOnly()));
        servedFrom(ONE);
        assertRefusedInHttp2(connect(ONE), RawHttp2Client.ENHANCE_YOUR_CALM, FROM_ADDRESS);
        assertEquals(1, server.connectionsRefusedPerAddress());
        servedFrom(TWO);
    }

    @Test
    void anHttp2ClientPastTheNodesLimitIsToldItsStreamWasRefused() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1),
                Fixtures.serving(Fixtures.identityOnly()));
        servedFrom(TWO);
        assertRefusedInHttp2(connect(ONE), RawHttp2Client.REFUSED_STREAM, "too many connections, retry later");
        assertEquals(0, server.connectionsRefusedPerAddress(), "the node's limit, not the address's");
    }

    /** Netty's own HTTP/2 client codec reads the refusal as the server's preface and a GOAWAY, not as a broken connection. */
    @Test
    void nettysHttp2ClientReadsTheRefusalAsSettingsAndGoAway() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1),
                Fixtures.serving(Fixtures.identityOnly()));
        servedFrom(ONE);
        Http2TestClient refused = new Http2TestClient(server.localAddress(), null);
        open.add(refused);
        refused.settings(); // the server's preface, read by the codec
        assertEquals(0L, refused.goAway().get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                "GOAWAY, last stream 0");
        refused.channel().closeFuture().await(WAIT.toMillis());
        assertFalse(refused.channel().isOpen(), "then closed");
    }

    @Test
    void aTlsClientThatChoseH2ByAlpnIsRefusedInHttp2AndOneSpeakingHttp1GetsThe503() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "front-end");
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1)
                        .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))),
                Fixtures.serving(Fixtures.identityOnly()));
        RawHttp2Client held = new RawHttp2Client(ONE, server.localAddress(), cert.trustingContext(), 0).startReading();
        open.add(held);
        held.get(1, "/networkmap", true);
        assertEquals("200", held.awaitStatus(1));

        RawHttp2Client refused = new RawHttp2Client(ONE, server.localAddress(), cert.trustingContext(), 0).startReading();
        open.add(refused);
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, refused.goAwayCode(), refused.fate(1));
        assertArrayEquals(new long[] {0, RawHttp2Client.ENHANCE_YOUR_CALM}, refused.goAway.join());
        assertEquals(FROM_ADDRESS, refused.goAwayText);
        refused.awaitClosed();

        // no ALPN (the JDK's default): told by its first bytes, an HTTP/1.1 request
        SSLSocket tls = (SSLSocket) cert.trustingContext().getSocketFactory().createSocket(connect(ONE), "localhost",
                server.localAddress().getPort(), true);
        open.add(tls);
        tls.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
        SocketReads.Answer answer = SocketReads.readAnswer(tls);
        assertEquals("503", answer.status());
        assertEquals("1", answer.retryAfter());
        assertEquals(FROM_ADDRESS + "\n", answer.body());
        assertEquals(2, server.connectionsRefusedPerAddress());
    }

    @Test
    void aClientThatSaysNothingIsAnsweredThe503AfterTheFirstByteTimeAndClosed() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1)
                        .withFirstByteTimeout(Duration.ofMillis(200)),
                Fixtures.serving(Fixtures.identityOnly()));
        servedFrom(ONE);
        Socket silent = connect(ONE);
        SocketReads.Answer answer = SocketReads.readAnswer(silent);
        assertEquals("503", answer.status());
        assertEquals(FROM_ADDRESS + "\n", answer.body());
        assertEquals(-1, silent.getInputStream().read(), "closed after the answer");
    }

    /**
     * A refused connection that finds no place to wait in (here: not a socket, which cannot linger,
     * as one past the 256 places is) is not given a TLS handshake, the dearest thing the node would
     * do for it: closed at once, having written nothing.
     */
    @Test
    void aTlsConnectionWithNoPlaceToWaitIsClosedBeforeItsHandshake() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "front-end");
        FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key())));
        ConnectionLimit limit = new ConnectionLimit(1);
        EmbeddedFrontEnd served = new EmbeddedFrontEnd(config, Fixtures.serving(Fixtures.identityOnly()),
                RequestObserver.noop(), limit);
        EmbeddedFrontEnd refused = new EmbeddedFrontEnd(config, Fixtures.serving(Fixtures.identityOnly()),
                RequestObserver.noop(), limit);
        try {
            assertFalse(refused.channel().isOpen(), "closed on accept");
            assertNull(refused.channel().pipeline().get(AltoChannelInitializer.TLS), "no TLS handler: no handshake");
            assertNull(refused.channel().readOutbound(), "nothing written");
            assertEquals(1, limit.open(), "the served connection's place only");
        } finally {
            refused.closeClient();
            served.closeClient();
            refused.channel().finishAndReleaseAll();
            served.channel().finishAndReleaseAll();
        }
    }
}

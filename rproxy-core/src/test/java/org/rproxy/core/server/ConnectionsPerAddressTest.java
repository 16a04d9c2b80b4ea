package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.Loopbacks;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * {@link FrontEndConfig#maxConnectionsPerAddress} over real sockets, clients at two loopback
 * addresses ({@code 127.0.0.1} and {@code 127.0.0.2}, both loopback on Linux): one address is held
 * to its limit, a connection past it answered 503 at once as one past the node-wide limit is,
 * while the other address still connects; and the place a connection takes comes back however
 * it ends (refused for the node-wide limit, a silent or idle connection closed, a failed TLS
 * handshake, an HTTP/2 connection closed by either side, an update stream's end, the server's
 * stop), which each case shows by the address connecting again and being served, or by its count
 * going back to nothing. Each case has a server and clients of its own, and most wait for the
 * server to close or give back a place, so they run three at a time.
 */
@Execution(ExecutionMode.CONCURRENT)
class ConnectionsPerAddressTest {

    private static final Duration WAIT = Http2TestClient.WAIT;
    private static final InetAddress ONE = Loopbacks.FIRST;
    private static final InetAddress TWO = Loopbacks.SECOND;
    private static final String GET = "GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n";

    @TempDir
    Path dir;
    private final OpenSockets open = new OpenSockets();
    private AltoHttpServer server;

    @AfterEach
    void stop() throws Exception {
        open.closeAll(server);
    }

    private void start(FrontEndConfig config, AltoService service) {
        server = AltoHttpServer.start(config, service);
    }

    private void start(FrontEndConfig config) {
        start(config, Fixtures.serving(Fixtures.identityOnly()));
    }

    /** A plain TCP connection from {@code from} to the server. */
    private Socket connect(InetAddress from) throws IOException {
        return open.connect(from, server.localAddress());
    }

    /** Asks {@code s} for a document and reads the answer. */
    private static SocketReads.Answer get(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(GET.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return SocketReads.readAnswer(s);
    }

    /** Reads to the end of the stream: true once the server has closed its side. */
    private static boolean closedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // what the server said before closing does not matter here
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    private int openFrom(InetAddress address) {
        return server.perAddress().open(address);
    }

    private void awaitNoneFrom(InetAddress address, String why) {
        Eventually.await(why + ": the place of " + address.getHostAddress() + " given back", WAIT,
                () -> openFrom(address) == 0);
    }

    /** Connects from {@code from} and is served: the address has a place free. */
    private void servedFrom(InetAddress from) throws IOException {
        assertEquals("200", get(connect(from)).status(), "a new connection from " + from.getHostAddress() + " is served");
    }

    private static void assertRefusedForItsAddress(Socket s, int limit) throws IOException {
        SocketReads.Answer refused = SocketReads.readAnswer(s); // answered on accept, asked nothing
        assertEquals("503", refused.status());
        assertEquals("1", refused.retryAfter());
        assertEquals("too many connections from this address (" + limit + " at most); close one, or retry later\n",
                refused.body());
        assertEquals(-1, s.getInputStream().read(), "closed after the answer");
    }

    @Test
    void oneAddressIsHeldToItsLimitWhileAnotherStillConnects() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(2));
        Socket first = connect(ONE);
        assertEquals("200", get(first).status());
        assertEquals("200", get(connect(ONE)).status());
        assertEquals(2, openFrom(ONE));

        assertRefusedForItsAddress(connect(ONE), 2);
        assertEquals(1, server.connectionsRefusedPerAddress());
        servedFrom(TWO);
        assertEquals(2, openFrom(ONE), "the refused connection took no place");

        first.close();
        Eventually.await("the closed connection's place given back", WAIT, () -> openFrom(ONE) == 1);
        servedFrom(ONE);
        assertEquals(1, server.connectionsRefusedPerAddress());
    }

    @Test
    void aConnectionRefusedForTheNodeWideLimitGivesItsAddressPlaceBack() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1).withMaxConnectionsPerAddress(1));
        Socket other = connect(TWO);
        assertEquals("200", get(other).status());
        SocketReads.Answer refused = SocketReads.readAnswer(connect(ONE));
        assertEquals("503", refused.status());
        assertEquals("too many connections, retry later\n", refused.body(), "refused for the node's limit");
        assertEquals(0, openFrom(ONE), "refused at the node's limit, it holds no place of its address");
        assertEquals(0, server.connectionsRefusedPerAddress());

        other.close();
        awaitNoneFrom(TWO, "a closed connection");
        servedFrom(ONE);
    }

    @Test
    void silentAndIdleConnectionsClosedByTheServerGiveTheirPlaceBack() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(Duration.ofSeconds(1)).withMaxConnectionsPerAddress(1));
        Socket silent = connect(ONE);
        assertTrue(closedByServer(silent));
        awaitNoneFrom(ONE, "a connection that never sent a byte, closed");

        Socket idle = connect(ONE);
        assertEquals("200", get(idle).status());
        assertTrue(closedByServer(idle));
        awaitNoneFrom(ONE, "a connection idle after its answer, closed");
        servedFrom(ONE);
    }

    @Test
    void aFailedTlsHandshakeGivesThePlaceBack() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "front-end");
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))));
        Socket plain = connect(ONE);
        plain.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII)); // not a TLS record
        assertTrue(closedByServer(plain));
        awaitNoneFrom(ONE, "a failed handshake");

        SSLContext trusting = cert.trustingContext();
        SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket(connect(ONE), "localhost",
                server.localAddress().getPort(), true);
        open.add(tls);
        assertEquals("200", get(tls).status(), "served over TLS: the address had its place back");
    }

    @Test
    void http2ConnectionsGiveThePlaceBackWhenEitherSideEndsThem() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1));
        RawHttp2Client h2 = new RawHttp2Client(ONE, server.localAddress(), null, 0).startReading();
        open.add(h2);
        h2.get(1, "/networkmap", true);
        assertEquals("200", h2.awaitStatus(1));
        assertRefusedForItsAddress(connect(ONE), 1);
        h2.close();
        awaitNoneFrom(ONE, "an HTTP/2 connection its client closed");

        RawHttp2Client broken = new RawHttp2Client(ONE, server.localAddress(), null, 0).startReading();
        open.add(broken);
        broken.frame(RawHttp2Client.DATA, 0, 0, new byte[1]); // DATA on stream 0: a connection error
        broken.flush();
        assertEquals(RawHttp2Client.PROTOCOL_ERROR, broken.goAwayCode());
        awaitNoneFrom(ONE, "an HTTP/2 connection the server ended with GOAWAY");
        servedFrom(ONE);
    }

    @Test
    void anUpdateStreamHoldsItsPlaceUntilItEnds() throws Exception {
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AltoService plain = Fixtures.serving(Fixtures.identityOnly());
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1), request ->
                !request.path().equals("/updates") ? plain.handle(request)
                        : CompletableFuture.completedFuture(new Reply.Stream(Duration.ofSeconds(10), s -> {
                            s.onClose(ended::countDown);
                            opened.countDown();
                        })));
        Socket stream = connect(ONE);
        stream.getOutputStream().write("POST /updates HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertTrue(opened.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the update stream opened");
        assertRefusedForItsAddress(connect(ONE), 1);
        assertEquals(1, openFrom(ONE), "the stream's connection keeps its place");

        stream.setSoLinger(true, 0); // gone at once (a reset), as a viewer whose process ended
        stream.close();
        assertTrue(ended.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the update stream ended");
        awaitNoneFrom(ONE, "an update stream whose client left");
        servedFrom(ONE);
    }

    @Test
    void theServersStopGivesEveryPlaceBack() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(4));
        assertEquals("200", get(connect(ONE)).status());
        Socket silent = connect(ONE);
        RawHttp2Client h2 = new RawHttp2Client(TWO, server.localAddress(), null, 0).startReading();
        open.add(h2);
        h2.get(1, "/networkmap", true);
        assertEquals("200", h2.awaitStatus(1));
        Eventually.await("three connections counted", WAIT, () -> openFrom(ONE) == 2 && openFrom(TWO) == 1);

        server.close();
        assertTrue(closedByServer(silent));
        Eventually.await("every place given back at the server's stop", WAIT, () -> server.perAddress().sources() == 0);
    }
}

package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.Loopbacks;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * A TLS connection refused over a limit is answered as a cleartext one is, and its client reads
 * the refusal: after the answer the node waits for the client to leave (reading and dropping what
 * it still sends) instead of closing at once, which reset the connection under a client still
 * sending its request and destroyed the answer before it was read. The clients are real TLS
 * clients over loopback: the JDK's {@code HttpClient}, a blocking {@code SSLSocket} that writes its
 * whole request before it reads, and an HTTP/2 client that chose {@code h2} by ALPN.
 */
class RefusedTlsClientTest {

    private static final InetAddress ONE = Loopbacks.FIRST;
    private static final InetAddress TWO = Loopbacks.SECOND;
    /**
     * A request body larger than a socket's send buffer starts with, so that the client is still
     * writing it when the node answers; and well under the bytes a refused connection's linger
     * drops ({@link LingeringClose#MAX_BYTES}).
     */
    private static final int BODY = 1024 * 1024;
    private static final String NODE_FULL = "too many connections, retry later";
    private static final String FROM_ADDRESS = "too many connections from this address (1 at most); close one, or retry later";

    @TempDir
    Path dir;
    private TestCertificates cert;
    private final OpenSockets open = new OpenSockets();
    private AltoHttpServer server;

    @BeforeEach
    void certificate() throws Exception {
        cert = TestCertificates.make(dir, "front-end");
    }

    @AfterEach
    void stop() throws Exception {
        open.closeAll(server);
    }

    private void start(FrontEndConfig limits) {
        server = AltoHttpServer.start(limits.withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))),
                Fixtures.serving(Fixtures.identityOnly()));
    }

    /** A TLS connection from {@code from} without ALPN, handshake done. */
    private SSLSocket connect(InetAddress from) throws Exception {
        return handshake(tcp(from));
    }

    /** A TCP connection from {@code from}, nothing sent. */
    private Socket tcp(InetAddress from) throws IOException {
        return open.connect(from, server.localAddress());
    }

    /** TLS over {@code tcp}, offering {@code alpn} (none: no ALPN), handshake done. */
    private SSLSocket handshake(Socket tcp, String... alpn) throws Exception {
        SSLSocket tls = (SSLSocket) cert.trustingContext().getSocketFactory().createSocket(tcp, "localhost",
                server.localAddress().getPort(), true);
        open.add(tls);
        if (alpn.length > 0) {
            SSLParameters p = tls.getSSLParameters();
            p.setApplicationProtocols(alpn);
            tls.setSSLParameters(p);
        }
        tls.startHandshake();
        return tls;
    }

    /** A TLS connection from {@code from} that is served, and keeps its place. */
    private void servedFrom(InetAddress from) throws Exception {
        SSLSocket s = connect(from);
        s.getOutputStream().write("GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("200", SocketReads.readAnswer(s).status());
    }

    private static String post(int bodyBytes) {
        return "POST /networkmap HTTP/1.1\r\nHost: a\r\nContent-Type: application/alto-networkmapfilter+json\r\n"
                + "Content-Length: " + bodyBytes + "\r\n\r\n";
    }

    @Test
    void theJdkHttpsClientPostingABodyReadsThe503() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1));
        servedFrom(ONE);
        HttpClient client = HttpClient.newBuilder().sslContext(cert.trustingContext())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Http2TestClient.WAIT).build();
        URI uri = URI.create("https://localhost:" + server.localAddress().getPort() + "/networkmap");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Http2TestClient.WAIT)
                        .header("content-type", "application/alto-networkmapfilter+json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[BODY])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, r.statusCode());
        assertEquals("1", r.headers().firstValue("retry-after").orElse(null));
        assertEquals(NODE_FULL + "\n", r.body());
    }

    @Test
    void aBlockingClientThatSendsItsWholeBodyBeforeReadingReadsThe503AndThenTheEnd() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1));
        servedFrom(ONE);
        SSLSocket refused = connect(ONE);
        OutputStream out = refused.getOutputStream();
        out.write(post(BODY).getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[BODY]);
        out.flush();
        SocketReads.Answer answer = SocketReads.readAnswer(refused);
        assertEquals("503", answer.status());
        assertEquals("1", answer.retryAfter());
        assertEquals(FROM_ADDRESS + "\n", answer.body());
        refused.shutdownOutput(); // its close_notify: the node closes in turn, with its own
        assertEquals(-1, refused.getInputStream().read(), "the TLS close, not a reset");
        assertEquals(1, server.connectionsRefusedPerAddress());
    }

    /**
     * A client whose handshake ends after the first-byte time (a slow link, a loaded node) still
     * gets the refusal of the protocol ALPN chose: the wait for a first request runs from the
     * handshake's end, since no request can come before it. Counted from accept, it had the 503
     * written as the handshake ended, which an HTTP/2 client reads as a broken frame. The time is
     * seen to pass on a connection from another address, which the node closes for sending
     * nothing within the same time, accepted after the refused one.
     */
    @Test
    void aHandshakeEndingAfterTheFirstByteTimeIsStillRefusedInTheProtocolAlpnChose() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnectionsPerAddress(1)
                .withFirstByteTimeout(Duration.ofMillis(500)));
        servedFrom(ONE);
        Socket slow = tcp(ONE);
        Eventually.await("the slow client's connection refused on accept", Http2TestClient.WAIT,
                () -> server.connectionsRefusedPerAddress() == 1);
        InputStream silent = tcp(TWO).getInputStream();
        assertEquals(-1, silent.read(), "a connection from another address, closed after the first-byte time");

        SSLSocket tls = handshake(slow, "h2");
        assertEquals("h2", tls.getApplicationProtocol());
        OutputStream out = tls.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {0, 0, 0, RawHttp2Client.SETTINGS, 0, 0, 0, 0, 0});
        out.flush();
        DataInputStream in = new DataInputStream(tls.getInputStream());
        byte[] head = new byte[9];
        in.readFully(head);
        assertEquals("0 0 0 4", (head[0] & 0xff) + " " + (head[1] & 0xff) + " " + (head[2] & 0xff) + " " + head[3],
                () -> "the server's preface, an empty SETTINGS frame; it wrote: "
                        + new String(head, StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n"));
        in.readFully(head);
        assertEquals(RawHttp2Client.GOAWAY, head[3] & 0xff, "then GOAWAY");
        byte[] payload = new byte[(head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff];
        in.readFully(payload);
        ByteBuffer goAway = ByteBuffer.wrap(payload);
        assertEquals(0, goAway.getInt(), "last stream 0");
        assertEquals(RawHttp2Client.ENHANCE_YOUR_CALM, Integer.toUnsignedLong(goAway.getInt()));
        assertEquals(FROM_ADDRESS, new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8));
    }

    @Test
    void anHttp2ClientSendingABodyReadsItsGoAwayAndThenTheEnd() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1));
        servedFrom(ONE);
        RawHttp2Client refused = new RawHttp2Client(ONE, server.localAddress(), cert.trustingContext(), 0);
        open.add(refused);
        refused.post(1, "/networkmap", "application/alto-networkmapfilter+json", new byte[16_000]);
        refused.startReading();
        assertEquals(RawHttp2Client.REFUSED_STREAM, refused.goAwayCode(), refused.fate(1));
        assertEquals(NODE_FULL, refused.goAwayText);
        refused.awaitClosed();
        assertTrue(refused.fate(1).endsWith("EOFException"), refused.fate(1));
    }
}

package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.testing.RawSockets.daemon;
import static org.rproxy.core.testing.RawSockets.readHead;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLServerSocket;

import io.netty.handler.ssl.JdkSslContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * A TLS connection the client closes is never given back to its pool, even while its close is
 * still under way. Closing a TLS connection first sends a close_notify, and the connection stays
 * open until that has gone out; when it cannot go out at once (queued behind bytes the upstream
 * has not read), the pool, asked whether the connection is healthy, found it open and took it
 * back, and the next request was written on it and failed. The upstream is a JDK TLS server on a
 * loopback port: to a POST it answers at once, without reading the body, with a body declared
 * over the client's limit (so the client closes the connection while megabytes of its request
 * and then the close_notify wait to be sent: Netty gives that close up to 3 s, its
 * close_notify flush timeout); a GET it answers with {@code ok}.
 */
class UpstreamTlsClosingTest {
    /** Twice what the client's socket buffer (at most 4 MB, tcp_wmem) and the upstream's (64 kB) take. */
    private static final int UNREAD_BODY = 8 << 20;

    @TempDir
    Path dir;
    private SSLServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger gets = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "upstream");
        JdkSslContext tls = (JdkSslContext) Tls.server(new TlsConfig(cert.cert(), cert.key()));
        server = (SSLServerSocket) tls.context().getServerSocketFactory().createServerSocket(0, 16,
                InetAddress.getLoopbackAddress());
        server.setReceiveBufferSize(64 << 10); // for the connections it accepts: not grown, as nothing reads them
        daemon("tls-upstream-accept", () -> {
            while (!server.isClosed()) {
                Socket s = server.accept();
                accepted.add(s);
                daemon("tls-upstream-conn", () -> serve(s));
            }
        });
        client = UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", server.getLocalPort(),
                Tls.client(cert.cert()), 1, Duration.ofSeconds(5), Duration.ofSeconds(60), 1 << 20, 1));
    }

    private UpstreamClient client;

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    /** Reads request heads; answers a GET, and a POST with a head declaring a body too large, reading no more. */
    private void serve(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
            String head = readHead(in);
            if (head == null) {
                return;
            }
            if (head.startsWith("POST")) {
                out.write("HTTP/1.1 200 OK\r\ncontent-length: 999999999\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return; // the rest of the request stays unread, the connection open, until the test ends
            }
            gets.incrementAndGet();
            out.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    @Test
    void aConnectionWhoseCloseIsUnderWayIsNotUsedAgain() throws Exception {
        UpstreamRequest post = new UpstreamRequest("POST", "/endpointcost", List.of(), Bytes.wrap(new byte[UNREAD_BODY]));
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> client.send(post).get(90, TimeUnit.SECONDS));
        assertTrue(refused.getCause().getMessage().contains("999999999 bytes declared"), refused.getCause().getMessage());
        // At once, while the refused connection's close_notify still waits behind the unread body.
        // Its first exchange failed, so a request failing on it is not sent again: it must not get it.
        UpstreamResponse r = client.send(UpstreamRequest.get("/networkmap", List.of())).get(90, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("ok", r.body().asUtf8());
        assertEquals(1, gets.get());
    }
}

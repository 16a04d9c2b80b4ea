package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * The upstream client over TLS, against a real https front end on loopback: a request on a new
 * connection is written once the handshake has succeeded; a handshake that fails (a certificate
 * for another name) or never ends fails the request as unreachable or timed out, with nothing
 * left queued (every buffer released: leak detection is paranoid in tests).
 */
class UpstreamTlsTest {

    @TempDir
    static Path dir;
    private static AltoHttpServer server;
    private static TestCertificates loopback;
    private static TestCertificates elsewhere;
    private static final AtomicInteger requests = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        loopback = TestCertificates.make(dir, "upstream");
        elsewhere = TestCertificates.makeFor(dir, "elsewhere", "upstream.example");
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0)
                .withSslContext(Tls.server(new TlsConfig(loopback.cert(), loopback.key()))), request -> {
            requests.incrementAndGet();
            Instant now = Instant.now();
            Variant v = new Variant(Bytes.wrap(("hello " + request.target()).getBytes(StandardCharsets.UTF_8)), null,
                    List.of(new HeaderField("content-type", "text/plain")));
            return CompletableFuture.completedFuture(Reply.ok(new Representation(v, null, 60, now, now.plusSeconds(3600))));
        });
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static UpstreamClient client(int port, Path ca, Duration timeout) {
        return UpstreamClient.start(new UpstreamClient.Settings("127.0.0.1", port, Tls.client(ca), 4,
                Duration.ofSeconds(2), timeout, 1 << 20, 1));
    }

    @Test
    void requestsOnNewConnectionsAreAnsweredOnceTheHandshakeIsDone() throws Exception {
        try (UpstreamClient client = client(server.localAddress().getPort(), loopback.cert(), Duration.ofSeconds(5))) {
            // More requests than connections, all sent at once: the first four wait for their
            // handshakes, the rest for a connection, then reuse it.
            List<CompletableFuture<UpstreamResponse>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.add(client.send(UpstreamRequest.get("/tls/" + i, List.of())));
            }
            for (int i = 0; i < 20; i++) {
                UpstreamResponse r = all.get(i).get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("hello /tls/" + i, r.body().asUtf8());
            }
        }
    }

    @Test
    void aCertificateForAnotherNameFailsTheRequestAsUnreachableWithoutSendingIt() throws Exception {
        int before = requests.get();
        try (UpstreamClient client = client(server.localAddress().getPort(), elsewhere.cert(), Duration.ofSeconds(5))) {
            for (int i = 0; i < 5; i++) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> client.send(UpstreamRequest.get("/wrong-name", List.of())).get(10, TimeUnit.SECONDS));
                UpstreamException u = (UpstreamException) e.getCause();
                assertEquals(UpstreamException.Kind.UNREACHABLE, u.kind(), u.getMessage());
                assertTrue(u.getMessage().matches("upstream 127\\.0\\.0\\.1:\\d+: the server's certificate is not accepted: .*"),
                        u.getMessage());
                assertFalse(u.getMessage().contains("sun.security"), u.getMessage());
            }
        }
        assertEquals(before, requests.get(), "a request reached a server the client does not trust");
    }

    @Test
    void aHandshakeThatNeverEndsTimesOut() throws Exception {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> accepted = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept()); // never answers the client hello
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        acceptor.start();
        try (UpstreamClient client = client(silent.getLocalPort(), loopback.cert(), Duration.ofMillis(400))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.send(UpstreamRequest.get("/silent", List.of())).get(10, TimeUnit.SECONDS));
            UpstreamException u = (UpstreamException) e.getCause();
            assertEquals(UpstreamException.Kind.TIMED_OUT, u.kind(), u.getMessage());
        } finally {
            silent.close();
            acceptor.join(5_000);
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}

package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.store.Representation;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * A stop ends within the drain: an HTTP/2 connection whose stream is still being answered when
 * {@code drain-timeout} runs out is cut then. It used to be asked to close again, gracefully, which
 * the HTTP/2 codec answers by waiting for its streams once more, for its own grace (set to the
 * drain too): the stop took the drain and then up to another drain (at most the 5 s of its next
 * step), so a stop with a 6 s drain took 11 s, past what an operator set and nearer the service
 * manager's kill; and over TLS a close waited for its {@code close_notify} to be flushed. The bounds
 * asserted leave seconds over the drain for the steps that follow it (the event loops' end), far
 * more than they take.
 */
class StopWithinDrainTest {

    /**
     * Long enough that the HTTP/2 codec's second wait (up to the drain, at most 5 s) takes the old
     * stop past {@link #DRAIN} + {@link #OVER}.
     */
    private static final Duration DRAIN = Duration.ofSeconds(6);
    private static final Duration OVER = Duration.ofSeconds(4);
    /**
     * The TLS case's drain: what a close through TLS added is its own 3 s, whatever the drain, so
     * a short drain shows it as well as a long one (the answer is never read: it is still being
     * written at the end of any drain).
     */
    private static final Duration TLS_DRAIN = Duration.ofSeconds(2);
    /** Under TLS's 3 s wait for its close_notify, which a close through it would add. */
    private static final Duration TLS_OVER = Duration.ofMillis(2_500);

    private final CountDownLatch asked = new CountDownLatch(1);
    /** An answer that never comes: the stream is in progress for the whole drain. */
    private final AltoService never = request -> {
        asked.countDown();
        return new CompletableFuture<>();
    };
    private AltoHttpServer server;
    @TempDir
    Path dir;
    private Http2TestClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    /**
     * Not run again on NIO (tagged {@code transport-neutral}): the answer never comes, so all the
     * server writes is its two GOAWAYs and the PING between them, which nothing holds back; the
     * drain's wait runs on the stopping thread, and what the codec would have added is above the
     * transport. The TLS case below takes the cut on NIO with an answer still being written, where
     * the transports differ.
     */
    @Test
    @Tag("transport-neutral")
    void anHttp2StreamStillAnsweredIsCutAtTheDrainsEnd() throws Exception {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withDrainTimeout(DRAIN), never);
        client = new Http2TestClient(server.localAddress(), null);
        Http2TestClient.Call call = client.open("GET", "/networkmap", null);
        assertTrue(asked.await(Http2TestClient.WAIT.toSeconds(), TimeUnit.SECONDS), "the request reached the service");

        Duration took = timedClose();

        assertTrue(took.compareTo(DRAIN.plus(OVER)) < 0, "the stop took " + took.toMillis() + " ms with a drain of " + DRAIN);
        assertTrue(took.compareTo(DRAIN) >= 0, "the stream had the whole drain: " + took.toMillis() + " ms");
        assertTrue(client.channel().closeFuture().await(Http2TestClient.WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(List.of((long) Integer.MAX_VALUE, (long) call.stream.stream().id()), client.goAways(),
                "the stop's two GOAWAYs (RFC 9113 §6.8), the second counting the stream in");
        // the stream hears of the connection's end in a later task of the client's event loop than
        // the one that completes the close future: awaited, not read at once (a loaded machine ran
        // the test's thread in between)
        assertThrows(ExecutionException.class, () -> call.done.get(Http2TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "the stream ended unanswered");
        assertFalse(call.head.isDone(), "no answer was made up for it");
        assertTrue(server.openConnections().isEmpty());
    }

    /**
     * Over TLS, an HTTP/1.1 answer the client does not read is still being written when the drain
     * ends. A close through TLS waits to flush its {@code close_notify} behind that answer, which
     * never goes, until TLS's own timeout (3 s): the stop took the drain and that too.
     */
    @Test
    void aTlsAnswerNotReadIsCutAtTheDrainsEnd() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        Representation large = Fixtures.octetStream(Fixtures.alphabet(16 * 1024 * 1024), "\"large\"");
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withDrainTimeout(TLS_DRAIN)
                .withSendBufferBytes(64 * 1024).withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))),
                request -> {
                    asked.countDown();
                    return CompletableFuture.completedFuture(Reply.ok(large));
                });
        try (SSLSocket s = (SSLSocket) Tls.jdkClient(cert.cert()).getSocketFactory().createSocket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 10_000);
            s.startHandshake();
            s.getOutputStream().write("GET /large HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertTrue(asked.await(Http2TestClient.WAIT.toSeconds(), TimeUnit.SECONDS), "the request reached the service");

            Duration took = timedClose();

            assertTrue(took.compareTo(TLS_DRAIN.plus(TLS_OVER)) < 0,
                    "the stop took " + took.toMillis() + " ms with a drain of " + TLS_DRAIN);
            assertTrue(server.openConnections().isEmpty());
        }
    }

    private Duration timedClose() {
        long start = System.nanoTime();
        server.close();
        return Duration.ofNanos(System.nanoTime() - start);
    }
}

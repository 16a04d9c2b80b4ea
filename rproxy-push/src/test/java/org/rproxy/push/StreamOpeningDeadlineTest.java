package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * Opening the update stream has a deadline: the read timeout is reset by every byte, so an
 * upstream that answered the subscription with a 103 every few seconds, or with a 200 and then
 * only heartbeats, held the feed for good (no failover, never ready). Now the stream must be
 * accepted (its first control event taken) within the read timeout of connecting, and at most
 * {@link UpstreamStream#MAX_INTERIM} interim responses are skipped. Real sockets: a
 * {@link HostileUpstream} answers, each answer bounded in time.
 */
class StreamOpeningDeadlineTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    /** A 103 every 200 ms (each resets the read timeout), for at most a minute. */
    private static void earlyHintsForever(String line, OutputStream out, AtomicLong written) throws Exception {
        for (int i = 0; i < 300; i++) {
            out.write("HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n".getBytes(US_ASCII));
            out.flush();
            written.incrementAndGet();
            Thread.sleep(200);
        }
    }

    private static String closedReason(HostileUpstream upstream, Duration readTimeout) throws Exception {
        return closedReason(upstream.uri().resolve("/updates"), null, readTimeout);
    }

    private static String closedReason(URI stream, SslContext tls, Duration readTimeout) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> closed = new LinkedBlockingQueue<>();
        try {
            UpstreamStream.open(group, stream, tls, "{}".getBytes(US_ASCII), readTimeout,
                    StreamListeners.closedInto(closed));
            String reason = closed.poll(30, TimeUnit.SECONDS);
            assertNotNull(reason, "the stream was never given up");
            return reason;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void interimResponsesThatKeepComingEndTheAttemptAtTheDeadline() throws Exception {
        try (HostileUpstream upstream = new HostileUpstream(StreamOpeningDeadlineTest::earlyHintsForever)) {
            String reason = closedReason(upstream, Duration.ofSeconds(1));
            assertEquals("no answer within the read timeout (1000 ms) of connecting", reason);
        }
    }

    /**
     * A TLS handshake the upstream never answers ends at the same deadline, and the reason says
     * so: the handshake that fails because the stream closed the connection is not the reason
     * (it was told as "TLS handshake failed: null", the closed channel's message).
     */
    @Test
    void aTlsHandshakeNeverAnsweredEndsTheAttemptAtTheDeadlineAndSaysSo(@TempDir Path dir) throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "silent");
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // never answers the client hello
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-tls-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
            String reason = closedReason(URI.create("https://127.0.0.1:" + silent.getLocalPort() + "/updates"),
                    Tls.client(cert.cert()), Duration.ofSeconds(1));
            assertEquals("no answer within the read timeout (1000 ms) of connecting", reason);
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aFlurryOfInterimResponsesEndsTheAttemptPastTheCap() throws Exception {
        try (HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
            out.write("HTTP/1.1 103 Early Hints\r\n\r\n".repeat(1000).getBytes(US_ASCII));
            out.flush();
        })) {
            String reason = closedReason(upstream, Duration.ofSeconds(25));
            assertTrue(reason.startsWith("upstream sent more than " + UpstreamStream.MAX_INTERIM + " interim responses"),
                    reason);
        }
    }

    @Test
    void aStreamWithOnlyHeartbeatsAndNoControlEventEndsAtTheDeadline() throws Exception {
        try (HostileUpstream upstream = new HostileUpstream((line, out, written) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(US_ASCII));
            for (int i = 0; i < 300; i++) {
                out.write("3\r\n:\n\n\r\n".getBytes(US_ASCII));
                out.flush();
                Thread.sleep(200);
            }
        })) {
            assertEquals("no control event within the read timeout (1000 ms) of connecting",
                    closedReason(upstream, Duration.ofSeconds(1)));
        }
    }

    /**
     * The feed: its first upstream serves the genuine signed directory (fetched from the healthy
     * one before the feed starts) but answers the subscription with 103s only; the feed gives it
     * up and subscribes to the second.
     *
     * <p>The read timeout is the opening deadline, but it also bounds each of the feed's directory
     * fetches, body read; what is checked here is that the feed gives the hinting upstream up and
     * fails over, not how soon (the deadline's own length and reason are the tests above). At 1 s,
     * in a fresh JVM on a machine at load 22, both directory fetches (the hinting upstream's, which
     * fetched the healthy one's with a new HTTP client while answering, and the healthy one's)
     * took longer, so the feed went back to the first upstream and asked for its directory again
     * instead of subscribing; at 5 s, the relay alone once did (load 30). So the directory is
     * fetched before the feed starts, the timeout is 5 s, and each step's wait is bounded well past it.
     */
    @Test
    void aFeedWhoseFirstUpstreamOnlySendsEarlyHintsFailsOverToTheNext() throws Exception {
        try (LoopbackUpstream healthy = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            healthy.publish(NM, "nm", networkMap(1, 1), T0);
            byte[] directory = HostileUpstream.answerOf(healthy.uri().resolve("/directory"));
            try (HostileUpstream hinting = new HostileUpstream((line, out, written) -> {
                if (line.startsWith("GET /directory ")) {
                    HostileUpstream.replay(directory, out);
                }
                earlyHintsForever(line, out, written);
            })) {
                PushFeedConfig config = PushFeedConfig.of(hinting.uri()).withReadTimeout(Duration.ofSeconds(5))
                        .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
                        .withFallbacks(List.of(healthy.uri()), Duration.ofMinutes(10));
                try (PushFeed feed = PushFeed.start(config, new ResponseVerifier(List.of(healthy.origin.publicKey()),
                        new MutableClock(T0.plusSeconds(10))), copy -> { })) {
                    assertEquals("GET /directory HTTP/1.1", hinting.nextRequest(30));
                    assertEquals("POST /updates HTTP/1.1", hinting.nextRequest(30));
                    assertTrue(LoopbackUpstream.within(Duration.ofSeconds(30), () -> feed.held().get(NM) != null),
                            "the map held from the second upstream");
                }
            }
        }
    }
}

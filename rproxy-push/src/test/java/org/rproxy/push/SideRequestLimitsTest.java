package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.upstream.LimitedBody;

/**
 * The push feed's side requests (the directory, health checks) are answered by an upstream it
 * does not trust: an answer that never ends must cost it neither unbounded memory (the JDK
 * client's own reader kept it all, and one endless {@code /directory} ran its selector thread
 * out of memory, after which the feed never did anything again) nor its progress (a directory
 * trickled a byte at a time held discovery for good, and the feed never failed over). Real
 * sockets: a {@link HostileUpstream} answers, and every answer it writes is bounded, so what
 * fails without the limits is the test's wait, not its memory.
 */
class SideRequestLimitsTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final String DIRECTORY_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/alto-directory+json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    /** 200, then {@code total} bytes of chunked body that never ends; the connection held open. */
    private static HostileUpstream.Answer flood(long total) {
        return (line, out, written) -> {
            out.write(DIRECTORY_HEAD.getBytes(US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            byte[] size = "10000\r\n".getBytes(US_ASCII);
            for (long sent = 0; sent < total; sent += chunk.length) {
                out.write(size);
                out.write(chunk);
                out.write("\r\n".getBytes(US_ASCII));
                written.addAndGet(chunk.length);
            }
            out.flush();
        };
    }

    /** 200, then one byte of body every 50 ms, for at most a minute: a body that never completes. */
    private static void trickle(String line, OutputStream out, AtomicLong written) throws Exception {
        out.write(DIRECTORY_HEAD.getBytes(US_ASCII));
        out.flush();
        for (int i = 0; i < 1200; i++) {
            out.write("1\r\nx\r\n".getBytes(US_ASCII));
            out.flush();
            written.incrementAndGet();
            Thread.sleep(50);
        }
    }

    private static ResponseVerifier verifier() {
        return new ResponseVerifier(List.of(UpdatePublisherTest.KEY.publicKey()), new MutableClock(T0));
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS),
                "the exchange did not end");
        return e.getCause();
    }

    @Test
    void anEndlessDirectoryIsRefusedAtTheBoundAndItsConnectionClosed() throws Exception {
        try (HostileUpstream upstream = new HostileUpstream(flood(64L << 20))) {
            CompletableFuture<StreamDiscovery> found = StreamDiscovery.fetch(HttpClient.newHttpClient(), upstream.uri(),
                    verifier(), Duration.ofSeconds(60), 256 * 1024);
            assertInstanceOf(LimitedBody.TooLarge.class, failure(found));
            assertTrue(upstream.awaitCutOff(30), "the feed read on");
            assertTrue(upstream.written() < 64L << 20, "the whole 64 MB was taken: " + upstream.written());
        }
    }

    @Test
    void aTrickledDirectoryEndsAtTheDeadline() throws Exception {
        try (HostileUpstream upstream = new HostileUpstream(SideRequestLimitsTest::trickle)) {
            CompletableFuture<StreamDiscovery> found = StreamDiscovery.fetch(HttpClient.newHttpClient(), upstream.uri(),
                    verifier(), Duration.ofMillis(500), 256 * 1024);
            assertInstanceOf(HttpTimeoutException.class, failure(found));
            assertTrue(upstream.awaitCutOff(30), "the exchange was not aborted");
        }
    }

    /**
     * The feed's own failover: a first upstream that trickles its directory is given up at the
     * read timeout, and the feed subscribes to the second, a healthy one.
     */
    @Test
    void aFeedWhoseFirstUpstreamTricklesItsDirectoryFailsOverToTheNext() throws Exception {
        try (HostileUpstream trickling = new HostileUpstream(SideRequestLimitsTest::trickle);
             LoopbackUpstream healthy = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            healthy.publish(NM, "nm", networkMap(1, 1), T0);
            PushFeedConfig config = PushFeedConfig.of(trickling.uri()).withReadTimeout(Duration.ofSeconds(1))
                    .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
                    .withFallbacks(List.of(healthy.uri()), Duration.ofMinutes(10));
            try (PushFeed feed = PushFeed.start(config, new ResponseVerifier(List.of(healthy.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), copy -> { })) {
                assertEquals("GET /directory HTTP/1.1", trickling.nextRequest(10));
                LoopbackUpstream.await("the map held from the second upstream", () -> feed.held().get(NM) != null);
            }
        }
    }
}

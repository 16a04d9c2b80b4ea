package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;

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
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> closed = new LinkedBlockingQueue<>();
        try {
            UpstreamStream.open(group, upstream.uri().resolve("/updates"), null, "{}".getBytes(US_ASCII), readTimeout,
                    new UpstreamStream.Listener() {
                        @Override
                        public void opened() {
                        }

                        @Override
                        public void bytes(byte[] data) {
                        }

                        @Override
                        public void refused(AltoError error) {
                        }

                        @Override
                        public void closed(String reason) {
                            closed.add(reason);
                        }
                    });
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
     * The feed: its first upstream serves the genuine signed directory (relayed from the healthy
     * one) but answers the subscription with 103s only; the feed gives it up and subscribes to
     * the second.
     */
    @Test
    void aFeedWhoseFirstUpstreamOnlySendsEarlyHintsFailsOverToTheNext() throws Exception {
        try (LoopbackUpstream healthy = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream hinting = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(healthy.uri().resolve("/directory"), out);
                 }
                 earlyHintsForever(line, out, written);
             })) {
            healthy.publish(NM, "nm", networkMap(1, 1), T0);
            PushFeedConfig config = PushFeedConfig.of(hinting.uri()).withReadTimeout(Duration.ofSeconds(1))
                    .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
                    .withFallbacks(List.of(healthy.uri()), Duration.ofMinutes(10));
            try (PushFeed feed = PushFeed.start(config, new ResponseVerifier(List.of(healthy.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), (t, r) -> { })) {
                assertEquals("GET /directory HTTP/1.1", hinting.nextRequest(10));
                assertEquals("POST /updates HTTP/1.1", hinting.nextRequest(10));
                LoopbackUpstream.await("the map held from the second upstream", () -> feed.held().get(NM) != null);
            }
        }
    }
}

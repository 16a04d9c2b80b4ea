package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;

/**
 * The push feed pauses reading its stream while more than {@link UpstreamStream#MAX_UNPROCESSED}
 * bytes wait for its thread, and that time is its own, not the upstream's silence: a feed whose
 * thread was busy for longer than the read timeout (applying and handing on an update, here to an
 * output that takes its time, as a store writing a large body to disk does) while a large map
 * came in behind had its healthy stream dropped as "no heartbeat within the read timeout", and
 * reconnected (with several upstreams, failed over). Real sockets: a real {@link UpdatePublisher}
 * on loopback, with a heartbeat well within the feed's short read timeout; the feed's thread is a
 * plain one-thread scheduler whose queue the test watches for the large map's chunks. Each case
 * mostly waits (two read timeouts of a busy feed) with upstreams and a feed of its own, so the
 * two run at once.
 */
@Execution(ExecutionMode.CONCURRENT)
class PausedReadingTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    /**
     * The feed's read timeout, 30 heartbeats of the upstream's. At 1 s, in a fresh JVM on a machine
     * at load 16 to 24, the feed's directory reads timed out three times in a row and then its
     * stream from the healthy upstream was lost for "no heartbeat within the read timeout" before
     * the large map was published, so the map never came (1 of 5 runs): the load, not the pause.
     * What is checked is that the pause is not taken for silence, over {@link #PAUSE} of it.
     */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    /**
     * How long the feed's thread stays busy, the stream's reading paused: two read timeouts, so
     * that a pause taken for silence would drop the stream within it, with a read timeout to
     * spare (four, once, waited 6 s more in each test for no more proof).
     */
    private static final Duration PAUSE = READ_TIMEOUT.multipliedBy(2);

    /** A network map of {@code pids} PIDs of four prefixes each: about 70 bytes a PID. */
    private static String largeNetworkMap(int pids) {
        StringBuilder sb = new StringBuilder(pids * 72).append("{\"network-map\":{\"A\":{\"ipv4\":[\"10.0.2.0/24\"]}");
        for (int i = 0; i < pids; i++) {
            sb.append(",\"Q").append(i).append("\":{\"ipv4\":[");
            for (int j = 0; j < 4; j++) {
                sb.append(j == 0 ? "" : ",").append("\"10.").append(i >> 8 & 0xff).append('.').append(i & 0xff)
                        .append('.').append(j * 64).append("/26\"");
            }
            sb.append("]}");
        }
        return sb.append("}}").toString();
    }

    @Test
    void aFeedBusyForLongerThanTheReadTimeoutWhileALargeMapComesInKeepsItsHealthyStream() throws Exception {
        String large = largeNetworkMap(180_000);
        assertTrue(large.length() > UpstreamStream.MAX_UNPROCESSED + (1 << 20),
                "the map must be more than the feed lets wait before it pauses reading: " + large.length());
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-push-feed"));
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults()
                .withHeartbeat(Duration.ofMillis(100)), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            Representation v2 = upstream.origin.sign(AltoResource.of("nm", NM),
                    Bytes.wrap(Jcs.canonicalize(large.getBytes(StandardCharsets.UTF_8))), false, T0.plusSeconds(1),
                    Duration.ofDays(1), 60);
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            // The first version's output, once let go, stays busy until the test has looked at
            // held() once: held() shows a version only once the output has taken it.
            CountDownLatch looked = new CountDownLatch(1);
            AtomicBoolean slowOnce = new AtomicBoolean();
            PushFeed.Output slowFirstMap = copy -> {
                if (copy.target().equals(NM) && slowOnce.compareAndSet(false, true)) {
                    busy.countDown();
                    try {
                        done.await(60, TimeUnit.SECONDS); // the feed's thread is busy until the test says
                        looked.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            PushFeedConfig config = PushFeedConfig.of(upstream.uri()).withReadTimeout(READ_TIMEOUT)
                    .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100));
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(upstream.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), slowFirstMap, thread, () -> 0.5);
            try {
                feed.begin();
                assertTrue(busy.await(10, TimeUnit.SECONDS), "the first version was never handed on");
                upstream.publisher.accept(NM, v2);
                // The large map's bytes pile up for the feed's thread (one task per chunk read); past
                // MAX_UNPROCESSED, a few milliseconds later on loopback, the feed pauses reading.
                assertTrue(LoopbackUpstream.within(Duration.ofSeconds(60), () -> thread.getQueue().size() > 100),
                        "the large map never came in");
                // The feed's thread stays busy for two read timeouts more, cut short should the
                // stream be dropped.
                boolean dropped = LoopbackUpstream.within(PAUSE,
                        () -> upstream.publisher.stats().subscribers() == 0);
                done.countDown();
                assertFalse(dropped, "the upstream saw the feed's stream closed while the feed was busy");

                assertTrue(LoopbackUpstream.within(Duration.ofSeconds(60), () -> {
                    Representation held = feed.held().get(NM);
                    looked.countDown();
                    return held != null && held.created().equals(T0.plusSeconds(1));
                }), "the large map was never held");
                assertEquals(1, feed.stats().connects(), "the stream was replaced although the upstream was healthy");
                assertTrue(feed.stats().connected());
                assertEquals(1, upstream.publisher.stats().subscribers());
            } finally {
                done.countDown();
                looked.countDown();
                feed.close();
            }
        }
    }

    /**
     * Pausing keeps the timeout for the upstream's own silence: a stream whose reading was paused
     * and resumed, and whose upstream then says nothing more (not even a heartbeat), is still
     * dropped for it. A {@link HostileUpstream} relays a genuine signed directory, opens the
     * stream, sends more than {@link UpstreamStream#MAX_UNPROCESSED} bytes of comment lines while
     * the feed's thread is busy, and then falls silent.
     */
    @Test
    void aStreamThatFallsSilentAfterAPauseIsStillDroppedForItsSilence() throws Exception {
        CountDownLatch send = new CountDownLatch(1);
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-push-feed"));
        try (LoopbackUpstream healthy = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream silent = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(healthy.uri().resolve("/directory"), out);
                 }
                 out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                         .getBytes(US_ASCII));
                 HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                         + "data: {\"control-uri\":\"/updates/control/1\"}\n\n");
                 send.await(60, TimeUnit.SECONDS);
                 String comments = (":" + "x".repeat(1022) + "\n").repeat(64); // 64 KiB
                 for (long sent = 0; sent < UpstreamStream.MAX_UNPROCESSED + (1 << 20); sent += comments.length()) {
                     HostileUpstream.chunk(out, comments);
                 }
                 // and then nothing: the connection stays open until the feed closes it
             });
             CapturedLogs logs = CapturedLogs.of("org.rproxy.push")) {
            PushFeedConfig config = PushFeedConfig.of(silent.uri()).withReadTimeout(READ_TIMEOUT)
                    .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100));
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(healthy.origin.publicKey()),
                    new MutableClock(T0.plusSeconds(10))), copy -> { }, thread, () -> 0.5);
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            try {
                feed.begin();
                assertTrue(LoopbackUpstream.within(Duration.ofSeconds(10), () -> feed.stats().connected()), "the stream was not accepted");
                assertTrue(subscribed(silent), "the stream's request was not seen");
                thread.execute(() -> {
                    busy.countDown();
                    try {
                        done.await(60, TimeUnit.SECONDS); // the feed's thread is busy until the test says
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertTrue(busy.await(10, TimeUnit.SECONDS));
                send.countDown();
                assertTrue(LoopbackUpstream.within(Duration.ofSeconds(60), () -> thread.getQueue().size() > 100),
                        "the comment lines never came in");
                assertNull(silent.nextClosed(PAUSE.toSeconds()),
                        "the stream was closed while the feed was busy");
                done.countDown();

                assertEquals("POST /updates HTTP/1.1", silent.nextClosed(30), "the silent stream was never dropped");
                logs.awaitMessage("no heartbeat within the read timeout", Duration.ofSeconds(10));
                assertTrue(subscribed(silent), "not subscribed again");
            } finally {
                done.countDown();
                feed.close();
            }
        }
    }

    /** Whether a subscription (past the directory reads before it) comes to {@code upstream} within 10 s. */
    private static boolean subscribed(HostileUpstream upstream) throws InterruptedException {
        for (String line = upstream.nextRequest(10); line != null; line = upstream.nextRequest(10)) {
            if (line.startsWith("POST /updates ")) {
                return true;
            }
        }
        return false;
    }
}

package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;

/**
 * {@code rproxy_push_stream_connected} says 1 only for a stream the upstream accepted: its first
 * control event named a control URI the feed took, the moment {@link PushFeed#notReadyBecause}
 * turns ready. A 200 alone is not that: the feed refuses a stream whose control URI is elsewhere
 * at that first event. It said 1 from the 200 to the refusal, so a scrape in between saw a
 * stream that was never usable. Real upstreams on loopback; the feed's thread is a
 * {@link ManualScheduler} that reads the gauge (the meters object a scrape reads) after every
 * task of the feed, so every state the feed passes through is seen, however briefly.
 */
class StreamConnectedTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    /** A gauge reading with the readiness of the same moment. */
    private record Sample(double connected, boolean ready) {
    }

    private static PushFeed feed(LoopbackUpstream upstream, ManualScheduler timers) {
        PushFeedConfig config = PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        return new PushFeed(config, new ResponseVerifier(List.of(upstream.origin.publicKey()),
                new MutableClock(T0.plusSeconds(10))), copy -> { }, timers, () -> 0.5);
    }

    private static List<Sample> sampled(PushFeed feed, ManualScheduler timers) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StreamMeters.feed(registry, feed);
        Gauge connected = registry.get("rproxy.push.stream.connected").gauge();
        List<Sample> samples = new CopyOnWriteArrayList<>();
        timers.afterEachTask(() -> samples.add(new Sample(connected.value(), feed.notReadyBecause() == null)));
        return samples;
    }

    @Test
    void aStreamTheUpstreamAnswers200ButThatIsRefusedForItsControlUriNeverShowsConnected() throws Exception {
        try (ServerSocket elsewhere = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults()
                     .withBase(false, "http://127.0.0.1:" + elsewhere.getLocalPort()), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            ManualScheduler timers = new ManualScheduler();
            PushFeed feed = feed(upstream, timers);
            List<Sample> samples = sampled(feed, timers);
            try {
                feed.begin();
                assertNotNull(timers.runNextScheduled(5), "the first stream was not given up");
                assertNotNull(timers.awaitNextScheduled(5), "the second stream was not given up");
                assertEquals(2, feed.stats().connects(), "two streams answered 200, both refused");
                assertFalse(samples.isEmpty());
                assertTrue(samples.stream().allMatch(s -> s.connected() == 0), "connected while refused: " + samples);
            } finally {
                feed.close();
            }
        }
    }

    @Test
    void anAcceptedStreamShowsConnectedFromTheMomentTheFeedIsReady() throws Exception {
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            ManualScheduler timers = new ManualScheduler();
            PushFeed feed = feed(upstream, timers);
            List<Sample> samples = sampled(feed, timers);
            try {
                feed.begin();
                LoopbackUpstream.await("the map held", () -> feed.held().get(NM) != null);
                assertTrue(feed.stats().connected());
                assertTrue(samples.contains(new Sample(1, true)), samples.toString());
                assertTrue(samples.stream().allMatch(s -> (s.connected() == 1) == s.ready()),
                        "connected and ready at different moments: " + samples);
            } finally {
                feed.close();
            }
        }
    }
}

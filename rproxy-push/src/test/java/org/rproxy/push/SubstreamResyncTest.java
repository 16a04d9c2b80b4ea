package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.await;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;

/**
 * After an update is rejected, the upstream's publisher still counts it as sent and sends the
 * next changes as merge patches from it: the push feed puts the substream back on the version it
 * holds (removed and added again through the control URI, naming that version's tag), so later
 * updates verify, without a new subscription; while updates keep failing, it does so at the
 * backoff's doubling waits. A real {@link PushFeed} subscribed over loopback to a real
 * {@link UpdatePublisher}; the proxy's clock and the feed's timers are the test's.
 */
class SubstreamResyncTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    /** This proxy's clock, 10 s past the origin's first signing; it allows 60 s of skew. */
    private final MutableClock clock = new MutableClock(T0.plusSeconds(10));
    private final ManualScheduler timers = new ManualScheduler();
    private LoopbackUpstream upstream;
    private PushFeed feed;

    @BeforeEach
    void start() throws Exception {
        upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
        upstream.publish(NM, "nm", networkMap(1, 1), T0);
        PushFeedConfig config = PushFeedConfig.of(upstream.uri()).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        feed = new PushFeed(config, new ResponseVerifier(List.of(upstream.origin.publicKey()), clock), (t, r) -> { },
                timers, () -> 0.5);
        feed.begin();
        await("the first version is held", () -> created() != null);
    }

    @AfterEach
    void stop() {
        feed.close();
        upstream.close();
    }

    private Instant created() {
        Representation r = feed.held().get(NM);
        return r == null ? null : r.created();
    }

    @Test
    void afterARejectedUpdateTheSubstreamIsAddedAgainFromTheVersionHeldAndLaterUpdatesVerify() throws Exception {
        // V2 is signed two minutes ahead of this proxy's clock: not yet valid here.
        upstream.publish(NM, "nm", networkMap(2, 1), T0.plusSeconds(130));
        await("V2 rejected", () -> feed.stats().rejected() == 1);

        // The clocks agree again; V3 and V4 come as patches from V2, which this feed does not hold.
        clock.advance(Duration.ofSeconds(400));
        upstream.publish(NM, "nm", networkMap(2, 3), T0.plusSeconds(300));
        Representation v4 = upstream.publish(NM, "nm", networkMap(2, 4), T0.plusSeconds(310));
        await("V3 and V4 rejected", () -> feed.stats().rejected() == 3);
        assertEquals(T0, created(), "still on V1");

        ManualScheduler.Scheduled readd = timers.runNextScheduled(5);
        assertNotNull(readd, "nothing puts the substream back on the version held");
        assertEquals(75, readd.delayMillis(), "one re-add for the three rejections, after the first backoff");
        await("V4 held", () -> T0.plusSeconds(310).equals(created()));
        assertEquals(v4.identity().body(), feed.held().get(NM).identity().body());
        PushFeed.Stats s = feed.stats();
        assertEquals(3, s.rejected());
        assertEquals(1, s.resyncs());
        assertTrue(s.connected());
        assertEquals(1, s.connects(), "through the control URI, on the same stream");
    }

    @Test
    void anUpstreamWhoseUpdatesKeepFailingGetsReAddsAtDoublingWaitsThatStartAfreshOnceOneVerifies() throws Exception {
        upstream.publish(NM, "nm", networkMap(2, 1), T0.plusSeconds(130));
        List<Long> waits = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int rejected = i;
            await("rejection " + i, () -> feed.stats().rejected() == rejected);
            ManualScheduler.Scheduled readd = timers.runNextScheduled(5);
            assertNotNull(readd, "no re-add after rejection " + i);
            waits.add(readd.delayMillis());
        }
        // Bases 100, 200, 400, 800, 1000 ms; the pinned draw 0.5 gives three quarters of each.
        assertEquals(List.of(75L, 150L, 300L, 600L, 750L), waits);

        await("rejection 6, each re-add sending V2 again", () -> feed.stats().rejected() == 6);
        clock.advance(Duration.ofSeconds(200));
        assertEquals(750, timers.runNextScheduled(5).delayMillis());
        await("V2 held once the clock allows it", () -> T0.plusSeconds(130).equals(created()));

        upstream.publish(NM, "nm", networkMap(3, 1), clock.instant().plusSeconds(130));
        await("V3 rejected", () -> feed.stats().rejected() == 7);
        assertEquals(75, timers.runNextScheduled(5).delayMillis(), "the re-add that worked reset the backoff");
        await("the seventh re-add made", () -> feed.stats().resyncs() == 7);
        assertEquals(1, feed.stats().connects(), "never subscribed again");
    }

    @Test
    void aRejectedSignatureEventWithoutDataAlsoAddsTheSubstreamAgain() throws Exception {
        // The same bytes signed again, ahead of this proxy's clock: a signature event alone.
        upstream.publish(NM, "nm", networkMap(1, 1), T0.plusSeconds(130));
        await("the renewal rejected", () -> feed.stats().rejected() == 1);
        clock.advance(Duration.ofSeconds(200));
        assertNotNull(timers.runNextScheduled(5), "nothing puts the substream back on the version held");
        await("the renewal held", () -> T0.plusSeconds(130).equals(created()));
        assertEquals(1, feed.stats().resyncs());
    }
}

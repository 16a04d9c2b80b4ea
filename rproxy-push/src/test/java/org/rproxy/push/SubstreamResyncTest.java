package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.await;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.LoggerFactory;

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
        feed = new PushFeed(config, new ResponseVerifier(List.of(upstream.origin.publicKey()), clock), copy -> { },
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

    /**
     * An update that can never verify (signed with a key this proxy does not trust): each re-add
     * has the upstream send it again. The re-adds go on at the backoff's ceiling, each one a
     * control request counted, but the log says so once per change of state, with the counts:
     * not a warning per attempt for as long as it lasts.
     */
    @Test
    void anUpdateThatNeverVerifiesIsReAddedAtTheCeilingAndLoggedOncePerChangeOfStateNotPerAttempt() throws Exception {
        ch.qos.logback.classic.Logger push = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.rproxy.push");
        Level level = push.getLevel();
        push.setLevel(Level.INFO); // the tests' configuration logs WARN and above
        try (CapturedLogs logs = CapturedLogs.of("org.rproxy.push")) {
            Bytes jcs = Bytes.wrap(Jcs.canonicalize(networkMap(2, 1).getBytes(StandardCharsets.UTF_8)));
            upstream.publisher.accept(NM, new TestSigner().sign(AltoResource.of("nm", NM), jcs, false,
                    T0.plusSeconds(20), Duration.ofDays(1), 60));
            List<Long> waits = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                int rejected = i;
                await("rejection " + i, () -> feed.stats().rejected() == rejected);
                ManualScheduler.Scheduled readd = timers.runNextScheduled(5);
                assertNotNull(readd, "no re-add after rejection " + i);
                waits.add(readd.delayMillis());
            }
            await("rejection 9, after the eighth re-add", () -> feed.stats().rejected() == 9);
            assertEquals(List.of(75L, 150L, 300L, 600L, 750L, 750L, 750L, 750L), waits, "paced, up to the ceiling");
            assertEquals(8, feed.stats().resyncs(), "every control request counted");
            assertEquals(T0, created(), "still on V1");

            List<String> warnings = messages(logs, Level.WARN);
            List<String> infos = messages(logs, Level.INFO);
            assertTrue(warnings.size() <= 2, "9 rejections, 8 re-adds: " + warnings);
            assertTrue(warnings.stream().anyMatch(m -> m.contains("UNKNOWN_KEY")), "the reason once: " + warnings);
            assertTrue(warnings.stream().anyMatch(m -> m.contains("re-adds")), "the ceiling, with the count: " + warnings);
            assertEquals(1, infos.size() - warnings.size(), "one re-add at info, the others at debug: " + infos);

            // The upstream's next version verifies: the recovery is logged once, with the counts.
            upstream.publish(NM, "nm", networkMap(3, 1), T0.plusSeconds(30));
            await("V3 held", () -> T0.plusSeconds(30).equals(created()));
            logs.await(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains("9 rejected"),
                    Duration.ofSeconds(5));
            logs.await(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains("8 re-adds"),
                    Duration.ofSeconds(5));
        } finally {
            push.setLevel(level);
        }
    }

    /**
     * Each document is paced on its own: one whose updates never verify (signed with a key this
     * proxy does not trust) has climbed to the backoff's longest wait, and another document's
     * rejected update is still re-added after the first wait, not held back until the failing
     * one's next re-add. The backoff was one for all documents: the second document's re-add
     * waited for the first's timer.
     */
    @Test
    void aDocumentWhoseUpdatesKeepFailingDoesNotDelayAnotherDocumentsResync() throws Exception {
        String other = "/networkmap/other";
        upstream.publish(other, "other", networkMap(7, 1), T0); // announced on the stream, added by the feed
        await("the other map held", () -> feed.held().get(other) != null);

        Bytes jcs = Bytes.wrap(Jcs.canonicalize(networkMap(2, 1).getBytes(StandardCharsets.UTF_8)));
        upstream.publisher.accept(NM, new TestSigner().sign(AltoResource.of("nm", NM), jcs, false,
                T0.plusSeconds(20), Duration.ofDays(1), 60));
        for (int i = 1; i <= 4; i++) {
            int rejected = i;
            await("rejection " + i + " of the map that never verifies", () -> feed.stats().rejected() == rejected);
            assertNotNull(timers.runNextScheduled(5), "no re-add after rejection " + i);
        }
        await("rejection 5", () -> feed.stats().rejected() == 5);
        ManualScheduler.Scheduled failing = timers.awaitNextScheduled(5); // left unrun
        assertNotNull(failing);
        assertEquals(750, failing.delayMillis(), "the failing map is at the longest wait");

        // The other map's next version is signed ahead of this proxy's clock: rejected once.
        upstream.publish(other, "other", networkMap(7, 2), T0.plusSeconds(130));
        await("the other map's update rejected", () -> feed.stats().rejected() == 6);
        clock.advance(Duration.ofSeconds(200));
        ManualScheduler.Scheduled readd = timers.runNextScheduled(5);
        assertNotNull(readd, "the other map's re-add waits for the failing map's");
        assertEquals(75, readd.delayMillis(), "the other map starts from the first wait");
        await("the other map's update held", () -> feed.held().get(other).created().equals(T0.plusSeconds(130)));
        assertEquals(T0, created(), "the failing map still on V1");
        assertEquals(5, feed.stats().resyncs(), "four re-adds of the failing map, one of the other");
    }

    /**
     * The documents paced apart are bounded: beyond the bound they share one pacing (and are
     * all still re-added); a document followed no more, or whose update verifies, is forgotten.
     */
    @Test
    void thePacedDocumentsAreBoundedAndForgottenWhenTheyGoOrVerify() throws Exception {
        ManualScheduler own = new ManualScheduler();
        try {
            Substreams followed = new Substreams();
            SubstreamResync resync = new SubstreamResync(new StreamControl(HttpClient.newHttpClient(), own, followed,
                    t -> null), Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5, own, 2);
            followed.onUnfollow(resync::forget);
            java.util.concurrent.atomic.AtomicInteger resubscribed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CompletableFuture<Integer> paced = new java.util.concurrent.CompletableFuture<>();
            own.execute(() -> {
                for (String t : List.of("/a", "/b", "/c", "/d")) {
                    followed.follow(t, t.substring(1));
                    followed.subscription(x -> null); // gives each its substream id: d1 to d4
                    resync.rejected(t, why -> resubscribed.incrementAndGet());
                }
                paced.complete(resync.paced());
            });
            assertEquals(2, paced.get(5, java.util.concurrent.TimeUnit.SECONDS), "two apart, the others shared");
            assertEquals(3, own.pendingScheduled(), "one timer per pacing: /a, /b, and /c with /d");
            for (int i = 0; i < 3; i++) { // /a, /b, and the shared pacing of /c and /d
                assertNotNull(own.runNextScheduled(5), "re-add " + (i + 1) + " not scheduled");
            }
            await("each pacing subscribed again (no control URI)", () -> resubscribed.get() == 3);

            java.util.concurrent.CompletableFuture<Integer> left = new java.util.concurrent.CompletableFuture<>();
            own.execute(() -> {
                followed.unfollow("d1"); // /a: the upstream stopped it
                resync.verified("/b");
                left.complete(resync.paced());
            });
            assertEquals(0, left.get(5, java.util.concurrent.TimeUnit.SECONDS), "/a gone and /b verified: forgotten");
        } finally {
            own.shutdownNow();
        }
    }

    /**
     * {@code rproxy_push_resyncs_total} counts control requests: when the stream has no control
     * URI, the feed subscribes again instead, which is a connect, not a control request.
     */
    @Test
    void aReAddWithoutAControlUriSubscribesAgainAndIsNoControlRequest() throws Exception {
        ManualScheduler own = new ManualScheduler();
        try {
            SubstreamResync resync = new SubstreamResync(new StreamControl(HttpClient.newHttpClient(), own, new Substreams(),
                    t -> null), Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5, own);
            java.util.concurrent.atomic.AtomicInteger resubscribed = new java.util.concurrent.atomic.AtomicInteger();
            own.execute(() -> resync.rejected(NM, why -> resubscribed.incrementAndGet()));
            assertNotNull(own.runNextScheduled(5));
            await("subscribed again", () -> resubscribed.get() == 1);
            assertEquals(0, resync.resyncs(), "no control request was made");
        } finally {
            own.shutdownNow();
        }
    }

    private static List<String> messages(CapturedLogs logs, Level atLeast) {
        return logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(atLeast))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}

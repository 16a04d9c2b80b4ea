package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * Going back to a preferred upstream tries its stream beside the fallback's ({@link StreamTrial})
 * and switches only once it has proved itself. The fallback's stream was closed first: while the
 * preferred upstream's stream was tried, the feed had no working stream (an update the fallback
 * published then came only after the reconnect to it, should the try fail), and even a try that
 * succeeded left the feed without an accepted stream for a moment. Real upstreams on loopback
 * (two {@link LoopbackUpstream}s whose origins' keys the feed trusts, or a {@link HostileUpstream}
 * relaying the fallback's signed directory); the feed's timers and health checks are the test's
 * ({@link TwoUpstreamFeed}).
 */
@ExtendWith(TwoUpstreamFeed.ReturnsLogged.class)
class StreamTrialTest {

    private static final Instant T0 = TwoUpstreamFeed.T0;

    @Test
    void anUpdateTheFallbackSendsWhileAPreferredUpstreamsStreamIsTriedAndFailsIsDelivered() throws Exception {
        AtomicInteger preferredStreams = new AtomicInteger();
        CountDownLatch endTry = new CountDownLatch(1);
        try (LoopbackUpstream fallback = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream preferred = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(fallback.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ") && preferredStreams.incrementAndGet() == 1) {
                     String body = "{\"meta\":{\"code\":\"E_SYNTAX\",\"message\":\"too many subscribers\"}}";
                     out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/alto-error+json\r\n"
                             + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                             .getBytes(US_ASCII));
                     out.flush();
                 } else if (line.startsWith("POST /updates ")) {
                     // accepted, then nothing (no heartbeat, no update) until the test ends the try
                     out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                             .getBytes(US_ASCII));
                     HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                             + "data: {\"control-uri\":\"/updates/control/1\"}\n\n");
                     endTry.await(30, TimeUnit.SECONDS);
                     out.write("0\r\n\r\n".getBytes(US_ASCII));
                     out.flush();
                     throw new java.io.EOFException("ended"); // closes the connection
                 }
             });
             CapturedLogs logs = CapturedLogs.of(UpstreamChoice.class)) {
            fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            TwoUpstreamFeed f = new TwoUpstreamFeed(preferred.uri(), List.of(fallback.uri()),
                    new ResponseVerifier(List.of(fallback.origin.publicKey()), new MutableClock(T0.plusSeconds(60))));
            PushFeed feed = f.feed;
            ManualScheduler timers = f.timers;
            try {
                f.begin();
                f.onFallback();
                f.healthCheck("the health check");
                LoopbackUpstream.await("the preferred upstream's stream asked for", () -> preferredStreams.get() == 2);

                Instant created = T0.plusSeconds(30);
                fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(2, 1), created);
                LoopbackUpstream.await("the fallback's update held while the preferred upstream's stream is tried",
                        () -> created.equals(createdHeld(feed)));

                endTry.countDown();
                logs.awaitMessage("failed on trial", Duration.ofSeconds(10));
                assertTrue(feed.stats().connected(), "the fallback's stream open");
                assertEquals(1, fallback.streamsAsked(), "one stream opened to the fallback in all");
                assertEquals(1, fallback.publisher.stats().subscribers(), "the fallback's stream, still open");
                assertEquals(created, createdHeld(feed));
            } finally {
                endTry.countDown();
                f.close();
            }
        }
    }

    /**
     * With no working stream (the preferred upstream's lost, the reconnect to the fallback waiting
     * out the backoff), the reconnect that comes due while the preferred upstream's stream is tried
     * again waits for the try: a stream opened to the fallback meanwhile would be closed again
     * should the try succeed. Once the try fails, the reconnect goes ahead.
     */
    @Test
    void aReconnectDueWhileAPreferredUpstreamsStreamIsTriedWaitsForTheTry() throws Exception {
        AtomicInteger preferredStreams = new AtomicInteger();
        AtomicInteger fallbackStreams = new AtomicInteger();
        CountDownLatch cut = new CountDownLatch(1);
        CountDownLatch endTry = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        try (LoopbackUpstream genuine = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream fallback = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(genuine.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ")) {
                     acceptWithHeartbeat(out, fallbackStreams.incrementAndGet());
                     end.await(30, TimeUnit.SECONDS);
                 }
             });
             HostileUpstream preferred = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(genuine.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ")) {
                     int n = preferredStreams.incrementAndGet();
                     if (n == 1) {
                         acceptWithHeartbeat(out, n);
                     } else { // accepted, then nothing: it never proves itself
                         out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                 + "Transfer-Encoding: chunked\r\n\r\n").getBytes(US_ASCII));
                         HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                                 + "data: {\"control-uri\":\"/updates/control/" + n + "\"}\n\n");
                     }
                     (n == 1 ? cut : endTry).await(30, TimeUnit.SECONDS);
                     throw new java.io.EOFException("ended"); // closes the connection
                 }
             });
             CapturedLogs logs = CapturedLogs.of(UpstreamChoice.class)) {
            genuine.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            TwoUpstreamFeed f = new TwoUpstreamFeed(preferred.uri(), List.of(fallback.uri()),
                    new ResponseVerifier(List.of(genuine.origin.publicKey()), new MutableClock(T0.plusSeconds(60))));
            PushFeed feed = f.feed;
            ManualScheduler timers = f.timers;
            try {
                f.begin();
                LoopbackUpstream.await("the preferred upstream's stream open", () -> feed.stats().connected());
                cut.countDown();
                ManualScheduler.Scheduled reconnect = timers.awaitNextScheduled(5);
                assertNotNull(reconnect, "the preferred upstream's lost stream was not given up");
                f.healthCheck("the health check");
                LoopbackUpstream.await("the preferred upstream's stream tried", () -> preferredStreams.get() == 2);

                timers.execute(reconnect.task()); // the reconnect to the fallback comes due during the try
                assertNull(fallback.nextRequest(1), "nothing asked of the fallback while the try runs");
                assertEquals(0, fallbackStreams.get());

                endTry.countDown();
                logs.awaitMessage("failed on trial", Duration.ofSeconds(10));
                LoopbackUpstream.await("the fallback's stream open, once the try failed",
                        () -> fallbackStreams.get() == 1 && feed.stats().connected());
            } finally {
                cut.countDown();
                endTry.countDown();
                end.countDown();
                f.close();
            }
        }
    }

    /**
     * With three upstreams, a health check that finds the first healthy again while the second's
     * stream is tried starts no second try: the second's try ends first, and its outcome is
     * recorded. Going back to the first used to drop the second's stream unproved, and its
     * failure was never counted, so it was gone back to every round.
     */
    @Test
    void withThreeUpstreamsATryIsNotCutShortByOneToAMorePreferredUpstream() throws Exception {
        AtomicBoolean firstUp = new AtomicBoolean();
        AtomicInteger firstStreams = new AtomicInteger();
        AtomicInteger secondStreams = new AtomicInteger();
        CountDownLatch endTry = new CountDownLatch(1);
        try (LoopbackUpstream fallback = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             HostileUpstream first = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ") && firstUp.get()) {
                     HostileUpstream.relay(fallback.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ")) {
                     firstStreams.incrementAndGet();
                 } // else down: closed unanswered
                 throw new java.io.EOFException("closed");
             });
             HostileUpstream second = new HostileUpstream((line, out, written) -> {
                 if (line.startsWith("GET /directory ")) {
                     HostileUpstream.relay(fallback.uri().resolve("/directory"), out);
                 } else if (line.startsWith("POST /updates ") && secondStreams.incrementAndGet() > 1) {
                     out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                             + "Transfer-Encoding: chunked\r\n\r\n").getBytes(US_ASCII));
                     HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                             + "data: {\"control-uri\":\"/updates/control/2\"}\n\n");
                     endTry.await(30, TimeUnit.SECONDS); // accepted, then nothing until the test ends it
                 }
                 throw new java.io.EOFException("closed"); // the first stream: closed unanswered
             });
             CapturedLogs logs = CapturedLogs.of(UpstreamChoice.class)) {
            fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            TwoUpstreamFeed f = new TwoUpstreamFeed(first.uri(), List.of(second.uri(), fallback.uri()),
                    new ResponseVerifier(List.of(fallback.origin.publicKey()), new MutableClock(T0.plusSeconds(60))));
            PushFeed feed = f.feed;
            ManualScheduler timers = f.timers;
            try {
                f.begin();
                for (int lost = 1; lost <= 2; lost++) { // the first and the second given up in turn
                    ManualScheduler.Scheduled next = timers.awaitNextScheduled(5);
                    assertNotNull(next, "upstream " + lost + " was not given up");
                    timers.execute(next.task());
                }
                LoopbackUpstream.await("the fallback's stream open", () -> feed.stats().connected());
                assertEquals(1, secondStreams.get());

                f.healthCheck("the first health check");
                LoopbackUpstream.await("the second upstream's stream tried", () -> secondStreams.get() == 2);

                firstUp.set(true); // the next check finds the first upstream healthy
                f.healthCheck("the second health check");
                endTry.countDown();
                logs.awaitMessage("upstream " + second.uri() + " failed", Duration.ofSeconds(10));
                assertEquals(0, firstStreams.get(), "no stream asked of the first upstream while the second's was tried");
                assertTrue(feed.stats().connected(), "the fallback's stream open");
            } finally {
                endTry.countDown();
                f.close();
            }
        }
    }

    private static void acceptWithHeartbeat(java.io.OutputStream out, int n) throws java.io.IOException {
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(US_ASCII));
        HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                + "data: {\"control-uri\":\"/updates/control/" + n + "\"}\n\n: heartbeat\n\n");
    }

    @Test
    void aPreferredUpstreamsStreamThatProvesItselfWithAHeartbeatTakesOverInOneStep() throws Exception {
        // no update on the way: the preferred upstream's stream proves itself with a heartbeat
        onPreferredAfterTrial(false);
    }

    @Test
    void aPreferredUpstreamsStreamThatProvesItselfWithAnUpdateTakesOverInOneStepAndHandsItOn() throws Exception {
        // the preferred upstream holds a newer version than the fallback sent: it comes first on
        // the preferred upstream's stream, proves it, and is handed on as the stream takes over
        onPreferredAfterTrial(true);
    }

    /**
     * Starts a feed on the fallback (the preferred upstream full at first: its one subscriber's
     * place taken by another feed), frees the preferred upstream and runs a health check; the
     * preferred upstream's stream is tried and takes over. Then an update only the preferred
     * upstream publishes is held. {@code newerFirst}: the preferred upstream has a newer version
     * than the fallback's before the health check, and sends no heartbeat in the test's time.
     */
    private static void onPreferredAfterTrial(boolean newerFirst) throws Exception {
        UpdateStreamConfig preferredConfig = UpdateStreamConfig.defaults().withMaxSubscribers(1)
                .withHeartbeat(newerFirst ? Duration.ofMinutes(10) : Duration.ofMillis(200));
        try (LoopbackUpstream fallback = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0);
             LoopbackUpstream preferred = new LoopbackUpstream(preferredConfig, T0);
             CapturedLogs logs = CapturedLogs.of(UpstreamChoice.class)) {
            fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            preferred.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            ResponseVerifier verifier = new ResponseVerifier(List.of(fallback.origin.publicKey(),
                    preferred.origin.publicKey()), new MutableClock(T0.plusSeconds(60)));
            PushFeed blocker = PushFeed.start(PushFeedConfig.of(preferred.uri()), verifier, copy -> { });
            TwoUpstreamFeed two = null;
            try {
                LoopbackUpstream.await("the preferred upstream full", () -> blocker.stats().connected()
                        && preferred.publisher.stats().subscribers() == 1);
                int blockers = preferred.streamsAsked();
                two = new TwoUpstreamFeed(preferred.uri(), List.of(fallback.uri()), verifier);
                PushFeed f = two.feed;
                ManualScheduler timers = two.timers;
                two.begin();
                two.onFallback();
                assertEquals(blockers + 1, preferred.streamsAsked(),
                        "the first stream asked of the preferred upstream, refused");
                blocker.close();
                LoopbackUpstream.await("the preferred upstream free",
                        () -> preferred.publisher.stats().subscribers() == 0);

                // from now on, the feed must have an accepted stream after every task of its thread
                AtomicBoolean gap = new AtomicBoolean();
                timers.afterEachTask(() -> gap.compareAndSet(false, !f.stats().connected()));
                Instant newer = T0.plusSeconds(20);
                if (newerFirst) {
                    preferred.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(3, 1), newer);
                }
                two.healthCheck("the health check");
                LoopbackUpstream.await("on the preferred upstream", () -> preferred.publisher.stats().subscribers() == 1
                        && fallback.publisher.stats().subscribers() == 0);
                assertFalse(gap.get(), "the feed was without an accepted stream while going back");
                logs.awaitMessage("back on upstream " + preferred.uri(), Duration.ofSeconds(5));
                assertTrue(f.stats().connected());
                assertEquals(blockers + 2, preferred.streamsAsked(),
                        "one stream of the preferred upstream tried, and kept");
                assertEquals(1, fallback.streamsAsked(), "one stream opened to the fallback in all");
                if (newerFirst) {
                    // held() shows a version once the output has taken it, which may come after the line above
                    LoopbackUpstream.await("the update the preferred upstream's stream proved itself with, held",
                            () -> newer.equals(createdHeld(f)));
                }

                Instant later = T0.plusSeconds(40);
                preferred.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(4, 1), later);
                LoopbackUpstream.await("the preferred upstream's next update held", () -> later.equals(createdHeld(f)));
                assertFalse(gap.get(), "the feed was without an accepted stream");
                assertEquals(blockers + 2, preferred.streamsAsked());
                assertEquals(1, fallback.streamsAsked());
            } finally {
                blocker.close();
                if (two != null) {
                    two.close();
                }
            }
        }
    }

    /**
     * A document the fallback announces while the preferred upstream's stream is tried (the feed
     * follows it, adding its substream on the fallback's stream) is followed on the preferred
     * upstream's stream from the switch on: the trial's subscription was made before it was
     * known, so the switch adds its substream there, from the version held. It was added only at
     * the next resubscription, and its updates meanwhile were lost.
     */
    @Test
    void aDocumentAnnouncedOnTheFallbackDuringATrialIsFollowedOnThePreferredUpstreamsStreamAfterTheSwitch()
            throws Exception {
        onTrial(false, (fallback, preferred, f, logs) -> {
            // announced by the fallback during the trial: followed there, and held
            Instant announced = T0.plusSeconds(5);
            fallback.publish(EXTRA, "extra", LoopbackUpstream.networkMap(9, 9), announced);
            LoopbackUpstream.await("the new document held from the fallback", () -> f.held().get(EXTRA) != null);
            preferred.publish(EXTRA, "extra", LoopbackUpstream.networkMap(9, 9), announced);
            // the update that proves the preferred upstream's stream
            preferred.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(2, 1), T0.plusSeconds(20));
            logs.awaitMessage("back on upstream " + preferred.uri(), Duration.ofSeconds(10));
            LoopbackUpstream.await("off the fallback", () -> fallback.publisher.stats().subscribers() == 0);

            Instant later = T0.plusSeconds(40);
            preferred.publish(EXTRA, "extra", LoopbackUpstream.networkMap(9, 8), later);
            LoopbackUpstream.await("the new document's next update held, from the preferred upstream's stream",
                    () -> f.held().get(EXTRA) != null && later.equals(f.held().get(EXTRA).created()));
            assertEquals(1, fallback.streamsAsked(), "one stream opened to the fallback in all");
            assertTrue(f.stats().connected());
        });
    }

    /**
     * The reverse: a document followed when the preferred upstream's stream was subscribed, which
     * the fallback stops while that stream is tried (the feed then follows it no more), but which
     * the preferred upstream still serves and announces, is followed again at the switch as the
     * substream that stream carries, with no control request: an addition, which the switch
     * made, was refused (its substream id in use), and the stream was lost and subscribed to
     * again. (A document the new stream's upstream does not announce is removed from it:
     * StreamControlTest.)
     */
    @Test
    void aDocumentTheFallbackStopsDuringATrialButThePreferredUpstreamServesIsFollowedOnItsStreamWithoutALoss()
            throws Exception {
        onTrial(true, (fallback, preferred, f, logs) -> {
            long connects = f.stats().connects(); // the trial's stream counted (when it was opened)

            // stopped by the fallback during the trial; the update after it on the same stream
            // shows the feed has read the stop
            fallback.publisher.remove(EXTRA);
            Instant step = T0.plusSeconds(10);
            fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(3, 1), step);
            LoopbackUpstream.await("the fallback's stop read", () -> step.equals(createdHeld(f)));
            // the same version on the preferred upstream's stream: repeated, dropped
            preferred.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(3, 1), step);
            // the update that proves the preferred upstream's stream
            preferred.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(2, 1), T0.plusSeconds(20));
            logs.awaitMessage("back on upstream " + preferred.uri(), Duration.ofSeconds(10));
            LoopbackUpstream.await("off the fallback", () -> fallback.publisher.stats().subscribers() == 0);

            Instant later = T0.plusSeconds(40);
            preferred.publish(EXTRA, "extra", LoopbackUpstream.networkMap(9, 8), later);
            LoopbackUpstream.await("the extra document's next update held, from the preferred upstream's stream",
                    () -> f.held().get(EXTRA) != null && later.equals(f.held().get(EXTRA).created()));
            assertEquals(connects, f.stats().connects(), "the trial's stream kept, no new subscription");
            assertTrue(preferred.publisher.followedTargets().containsAll(Set.of(LoopbackUpstream.NM, EXTRA)),
                    "followed there: " + preferred.publisher.followedTargets());
            assertTrue(f.stats().connected());
            assertEquals(1, fallback.streamsAsked(), "one stream opened to the fallback in all");
        });
    }

    /** What a test does once the preferred upstream's stream is on trial ({@link #onTrial}). */
    @FunctionalInterface
    private interface DuringTrial {
        void run(LoopbackUpstream fallback, LoopbackUpstream preferred, PushFeed feed, CapturedLogs logs)
                throws Exception;
    }

    /**
     * Two upstreams serving one origin's signings (what one sends repeats the other), the network
     * map published on both at T0, and {@link #EXTRA} too if {@code withExtra}; the preferred
     * upstream takes one subscriber and sends a heartbeat only every 10 minutes (the trial proves
     * itself with an update, when the test says). With the preferred upstream full (another feed's
     * stream on it), a feed goes to the fallback (and holds the extra document from it); the
     * preferred upstream is freed, the health check opens its stream for trial (following the
     * extra document); then {@code trial} runs, and everything is closed.
     */
    private static void onTrial(boolean withExtra, DuringTrial trial) throws Exception {
        UpdateStreamConfig preferredConfig = UpdateStreamConfig.defaults().withMaxSubscribers(1)
                .withHeartbeat(Duration.ofMinutes(10));
        TestSigner origin = new TestSigner();
        try (LoopbackUpstream fallback = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0, origin);
             LoopbackUpstream preferred = new LoopbackUpstream(preferredConfig, T0, origin);
             CapturedLogs logs = CapturedLogs.of(UpstreamChoice.class)) {
            for (LoopbackUpstream u : List.of(fallback, preferred)) {
                u.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
                if (withExtra) {
                    u.publish(EXTRA, "extra", LoopbackUpstream.networkMap(9, 9), T0);
                }
            }
            ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()),
                    new MutableClock(T0.plusSeconds(60)));
            PushFeed blocker = PushFeed.start(PushFeedConfig.of(preferred.uri()), verifier, copy -> { });
            TwoUpstreamFeed two = null;
            try {
                LoopbackUpstream.await("the preferred upstream full", () -> blocker.stats().connected()
                        && preferred.publisher.stats().subscribers() == 1);
                two = new TwoUpstreamFeed(preferred.uri(), List.of(fallback.uri()), verifier);
                PushFeed f = two.feed;
                two.begin();
                two.onFallback();
                if (withExtra) {
                    LoopbackUpstream.await("the extra document held from the fallback",
                            () -> f.held().get(EXTRA) != null);
                }
                blocker.close();
                LoopbackUpstream.await("the preferred upstream free",
                        () -> preferred.publisher.stats().subscribers() == 0);
                two.healthCheck("the health check");
                LoopbackUpstream.await("the preferred upstream's stream on trial"
                        + (withExtra ? ", following the extra document" : ""),
                        () -> preferred.publisher.stats().subscribers() == 1
                                && (!withExtra || preferred.publisher.followedTargets().contains(EXTRA)));
                trial.run(fallback, preferred, f, logs);
            } finally {
                blocker.close();
                if (two != null) {
                    two.close();
                }
            }
        }
    }

    /** A document neither upstream's directory lists: announced on the streams when it appears. */
    private static final String EXTRA = "/networkmap/extra";

    private static Instant createdHeld(PushFeed feed) {
        Representation r = feed.held().get(LoopbackUpstream.NM);
        return r == null ? null : r.created();
    }
}

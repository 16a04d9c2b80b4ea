package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * After a reconnect to another upstream, the push feed reads that upstream's directory before it
 * subscribes. When it is the very signing held (two upstreams of one origin, nothing changed), it
 * is nothing new: not counted as an update, not handed to the store again; when it is a new
 * signing of the same bytes, it is a renewal, as on the stream. It was taken as a new version
 * every time: counted in {@code rproxy_push_updates_total{result="verified"}} and stored again.
 * Real upstreams on loopback ({@link LoopbackUpstream}s sharing one origin's key); the feed's
 * timers are the test's ({@link ManualScheduler}).
 */
class DirectoryReadAgainTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void theSameSigningOfTheDirectoryReadAfterAReconnectCountsAsNothing() throws Exception {
        Outcome o = reconnect(T0);
        assertEquals(0, o.updates, "updates counted across the reconnect");
        assertEquals(0, o.renewals, "renewals counted across the reconnect");
        assertEquals(0, o.directoriesStored, "directories handed to the store across the reconnect");
    }

    @Test
    void aNewSigningOfTheSameDirectoryReadAfterAReconnectIsARenewal() throws Exception {
        Outcome o = reconnect(T0.plusSeconds(10));
        assertEquals(0, o.updates, "updates counted across the reconnect");
        assertEquals(1, o.renewals, "renewals counted across the reconnect");
        assertEquals(1, o.directoriesStored, "the renewed directory handed to the store");
    }

    /** What changed across the reconnect. */
    private record Outcome(long updates, long renewals, int directoriesStored) {
    }

    /**
     * Starts a feed on the first of two upstreams of one origin, both serving the same network
     * map; the second's directory signed at {@code secondSignedAt} (the first's at {@code T0}).
     * Once the feed holds the map, the first upstream goes away, and the feed reconnects to the
     * second; returns what its counters and its output saw meanwhile.
     */
    private static Outcome reconnect(Instant secondSignedAt) throws Exception {
        TestSigner origin = new TestSigner();
        LoopbackUpstream first = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0, origin);
        boolean firstClosed = false;
        try (LoopbackUpstream second = new LoopbackUpstream(UpdateStreamConfig.defaults(), secondSignedAt, origin)) {
            first.publish(NM, "nm", networkMap(1, 1), T0);
            second.publish(NM, "nm", networkMap(1, 1), T0);
            Map<String, AtomicInteger> stored = new ConcurrentHashMap<>();
            ManualScheduler timers = new ManualScheduler();
            PushFeedConfig config = PushFeedConfig.of(first.uri())
                    .withFallbacks(List.of(second.uri()), Duration.ofSeconds(1))
                    .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(8));
            PushFeed feed = new PushFeed(config, new ResponseVerifier(List.of(origin.publicKey()),
                    new MutableClock(T0.plusSeconds(60))),
                    copy -> stored.computeIfAbsent(copy.target(), k -> new AtomicInteger()).incrementAndGet(), timers, () -> 0.5);
            try {
                feed.begin();
                LoopbackUpstream.await("the map held from the first upstream",
                        () -> feed.stats().connected() && feed.held().get(NM) != null);
                PushFeed.Stats before = feed.stats();
                int directories = stored.get(StreamDiscovery.DIRECTORY).get();
                assertEquals(1, directories, "the directory read first, handed on");

                first.close(); // its stream ends: the feed moves to the second upstream
                firstClosed = true;
                ManualScheduler.Scheduled retry = timers.awaitNextScheduled(10);
                assertNotNull(retry, "the first upstream's lost stream was not given up");
                timers.execute(retry.task());
                LoopbackUpstream.await("the second upstream's stream open", () -> feed.stats().connected()
                        && second.publisher.stats().subscribers() == 1);
                LoopbackUpstream.await("the map's signing, sent again by the second upstream, dropped",
                        () -> feed.stats().repeated() > before.repeated());
                PushFeed.Stats after = feed.stats();
                assertEquals(before.rejected(), after.rejected());
                return new Outcome(after.updates() - before.updates(), after.renewals() - before.renewals(),
                        stored.get(StreamDiscovery.DIRECTORY).get() - directories);
            } finally {
                feed.close();
            }
        } finally {
            if (!firstClosed) {
                first.close();
            }
        }
    }
}

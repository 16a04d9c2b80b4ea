package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * While the application's listener runs, the follower's thread does not read the stream: a renewal
 * or the map that makes the maps fit may arrive then and wait unread. Once the listener returns,
 * the watch must give the stream time to be read before it judges renewals or fit again; before,
 * its first check after the return left the stream (and cooled a renewing proxy down, "no renewal
 * of /networkmap/net in time") while the renewal sat in it. The watch driven by hand: its ticker
 * and clock moved, its check called, no timer thread.
 */
class ListenerBacklogTest {
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final Duration VALIDITY = Duration.ofSeconds(40);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(4);
    private static final long LISTENER_SECONDS = 3;
    private static final String NET = "/networkmap/net";
    private static final String COSTS = "/costmap/num";
    private static final URI STREAM = URI.create("http://127.0.0.1:1/updates");
    private static final String DIRECTORY = "{\"meta\":{\"default-alto-network-map\":\"net\",\"cost-types\":{\"num\":"
            + "{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}}},\"resources\":{"
            + "\"net\":{\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"" + NET + "\"},"
            + "\"costs\":{\"media-type\":\"application/alto-costmap+json\",\"uri\":\"" + COSTS + "\",\"uses\":[\"net\"],"
            + "\"capabilities\":{\"cost-type-names\":[\"num\"]}}}}";

    private final TestSigner origin = new TestSigner();
    private final MutableClock clock = new MutableClock(T0.plusSeconds(20));
    private final AtomicLong ticker = new AtomicLong(1_000);
    private final HeldState state = new HeldState(AltoJson.readDirectory(Jcs.parse(utf8(DIRECTORY))),
            origin.sign("/directory", DIRECTORY, false, T0, Duration.ofHours(1), 60), clock);
    private final StreamWatch watch = new StreamWatch(state, clock, ticker::get, READ_TIMEOUT, (still, leave) -> { }, "test");
    private final InputStream in = new ByteArrayInputStream(new byte[0]);

    @AfterEach
    void close() {
        watch.close();
    }

    @Test
    void aRenewalThatArrivedWhileTheListenerRanIsReadBeforeTheStreamIsJudged() {
        hold(NET, network("a1"), T0);
        hold(COSTS, costs("a1"), T0);
        assertTrue(state.mapsFit() && state.answers() != null, "the maps held fit");
        watch.watch(in, STREAM, true);
        pass(5); // followed for over the read timeout, the maps with 15 s left of 40: in time
        watch.read();
        watch.check();
        assertFalse(watch.closedIt(in));

        watch.listening();
        pass(8); // the listener takes 8 s: the maps get within a quarter of expiry, the renewal waits unread
        watch.listened();
        watch.check();
        assertFalse(watch.closedIt(in), "the renewal waits in the stream: left and blamed before it was read");

        pass(1);
        watch.read();
        hold(NET, network("a1"), T0.plusSeconds(20)); // read: the renewals the origin made at half validity
        hold(COSTS, costs("a1"), T0.plusSeconds(20));
        pass(4);
        watch.check();
        assertFalse(watch.closedIt(in), "renewed");
        assertNull(watch.ended(in));
    }

    @Test
    void aStreamWithNoRenewalAfterTheListenerIsStillLeftOnceItHadTheTimeToSendIt() {
        hold(NET, network("a1"), T0);
        hold(COSTS, costs("a1"), T0);
        watch.watch(in, STREAM, true);
        pass(5);
        watch.read();
        watch.listening();
        pass(8);
        watch.listened();
        pass(3);
        watch.read(); // heartbeats only
        watch.check();
        assertFalse(watch.closedIt(in), "3 s after an 8 s listener: still reading what came meanwhile");
        pass(1);
        watch.check();
        assertTrue(watch.blames(in), "4 s (the read timeout) after it: judged, and no renewal came");
        assertInstanceOf(ClientException.InvalidResponse.class, watch.ended(in));
    }

    @Test
    void theMapThatMakesTheMapsFitIsReadBeforeTheyAreJudgedUnfit() {
        watchTheOriginsStreamSendANewNetworkMap(T0.plusSeconds(1)); // its cost map comes next
        pass(1);
        watch.check(); // unfit seen
        assertFalse(state.mapsFit());
        watch.listening(); // an update told the listener, which takes 6 s
        pass(6);
        watch.listened();
        watch.check();
        assertFalse(watch.closedIt(in), "the cost map that fits waits in the stream: left for maps that do not fit before");

        pass(1);
        watch.read();
        hold(COSTS, costs("a2"), T0.plusSeconds(1));
        pass(5);
        watch.read();
        watch.check();
        assertTrue(state.mapsFit());
        assertFalse(watch.closedIt(in));
    }

    /**
     * A proxy whose own upstream is gone renews nothing more, yet passes on a cost map that changes
     * every 4 s, each change told to a listener that takes 3 s: the follower is back at the stream for
     * a second in every four. Before, each return put the judging off again by the call's 3 s, so the
     * watch never judged renewals and the network map ran to its expiry with the stream kept. Now it
     * is left within the documented bound: once the map is late, at most the rest of the call under
     * way, then the read timeout and a quarter (the watchdog's period).
     */
    @Test
    void aStreamThatStopsRenewingIsLeftWithinTheBoundHoweverOftenASlowListenerIsCalled() {
        hold(NET, network("a1"), T0); // late at T0 + 30 s: 10 s from now
        hold(COSTS, costs("a1"), T0);
        watch.watch(in, STREAM, true);
        long late = 10;
        long left = listenerEveryFourSeconds(s -> hold(COSTS, costs("a1", s), T0.plusSeconds(20 + s)));
        assertTrue(watch.blames(in), "never left while the listener was called: the network map ran out");
        assertLeftWithinAQuarterMoreThanTheReadTimeoutAfter(late + LISTENER_SECONDS, left);
    }

    /**
     * The same listener on the origin's stream (never judged for renewals), whose network map is
     * new and whose cost maps never come: the maps held do not fit, and it is left the read timeout
     * and a quarter after the watch first saw that at the latest (not blamed); before, never.
     */
    @Test
    void aStreamWhoseMapsDoNotFitIsLeftWithinTheBoundHoweverOftenASlowListenerIsCalled() {
        watchTheOriginsStreamSendANewNetworkMap(T0.plusSeconds(20)); // its cost map never comes
        long left = listenerEveryFourSeconds(s -> { }); // heartbeats; each a listener call, as an update's
        assertTrue(watch.closedIt(in), "never left while the listener was called, the maps not fitting");
        assertFalse(watch.blames(in));
        assertLeftWithinAQuarterMoreThanTheReadTimeoutAfter(1 + LISTENER_SECONDS, left); // seen by the first check not in a call
    }

    /**
     * Up to 60 s of a stream that sends an event every 4 s, each told to a listener that takes
     * {@value #LISTENER_SECONDS} s, a heartbeat read at each return, the watch checked every second
     * (its period, a quarter read timeout); {@code event} is told each event's second as it is read.
     * Returns the second the watch closed the stream at, or 61 when it kept it.
     */
    private long listenerEveryFourSeconds(LongConsumer event) {
        for (long s = 1; s <= 60; s++) {
            pass(1);
            if (s % 4 == 1) { // an event read and told to the listener
                watch.read();
                event.accept(s);
                watch.listening();
            } else if ((s - 1) % 4 == LISTENER_SECONDS) { // the listener returns; a heartbeat is read
                watch.listened();
                watch.read();
            }
            watch.check();
            if (watch.closedIt(in)) {
                return s;
            }
        }
        return 61;
    }

    /** Maps that fit held, the origin's stream watched, and a new network map taken from it, created at {@code created}. */
    private void watchTheOriginsStreamSendANewNetworkMap(Instant created) {
        hold(NET, network("a1"), T0);
        hold(COSTS, costs("a1"), T0);
        watch.watch(in, STREAM, false);
        hold(NET, network("a2"), created);
    }

    /** The documented bound: the stream was left at the latest the read timeout and a quarter after {@code from}. */
    private void assertLeftWithinAQuarterMoreThanTheReadTimeoutAfter(long from, long left) {
        long bound = from + READ_TIMEOUT.toSeconds() + READ_TIMEOUT.toSeconds() / 4;
        assertTrue(left <= bound, "left at " + left + " s, after the bound of " + bound + " s");
        assertInstanceOf(ClientException.InvalidResponse.class, watch.ended(in));
    }

    private void hold(String target, String body, Instant created) {
        String id = target.equals(NET) ? "net" : "costs";
        state.put(target, origin.sign(AltoResource.of(id, target), Bytes.utf8(body), false, created, VALIDITY, 60));
        state.rebuild();
    }

    private void pass(long seconds) {
        ticker.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
        clock.advance(Duration.ofSeconds(seconds));
    }

    private static String network(String tag) {
        return "{\"meta\":{\"vtag\":{\"resource-id\":\"net\",\"tag\":\"" + tag + "\"}},"
                + "\"network-map\":{\"PID1\":{\"ipv4\":[\"0.0.0.0/0\"]},\"PID2\":{\"ipv6\":[\"::/0\"]}}}";
    }

    private static String costs(String tag) {
        return costs(tag, 5);
    }

    private static String costs(String tag, long cost) {
        return "{\"meta\":{\"vtag\":{\"resource-id\":\"costs\",\"tag\":\"c" + tag + "\"},"
                + "\"dependent-vtags\":[{\"resource-id\":\"net\",\"tag\":\"" + tag + "\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":" + cost + "},\"PID2\":{\"PID1\":5}}}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

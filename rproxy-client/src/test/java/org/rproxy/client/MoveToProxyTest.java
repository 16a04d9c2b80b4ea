package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;

/**
 * A follower that fell back to the origin's update stream while the only proxy was down moves
 * back to the proxy's stream once the proxy is no longer recently failing, and closes the
 * origin's; a proxy that still cannot stream costs the origin's stream nothing (its subscription
 * is tried beside it, and the origin's goes on). A real origin with its update stream, a relay in
 * front of it as the proxy; the client's clock is moved past the proxy's failure window.
 */
class MoveToProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Longer than any failure window ({@link SourceHealth}: 10 min at most); the maps are valid for 1 h. */
    private static final Duration PAST_FAILURES = Duration.ofMinutes(10).plusSeconds(1);

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();
    private final MutableClock clock = MutableClock.now();

    @Test
    void aFollowerOnTheOriginsStreamMovesToTheProxysOnceItIsNoLongerRecentlyFailing() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        proxy.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        HeardUpdates heard = new HeardUpdates();
        AltoClient c = fallenBackToTheOrigin(origin, proxy, heard);

        proxy.mode(SwitchableRelay.Mode.UP);
        // no move while the proxy's failures are recent (30 s doubling with each in a row)
        assertNull(heard.following.poll(3, TimeUnit.SECONDS), heard::toString);
        assertEquals(1, origin.openStreams());
        clock.advance(PAST_FAILURES);
        assertEquals(Optional.of(proxy.base() + "updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                heard::toString);
        // the proxy (a relay) streams from the origin too: one stream there, the proxy's, not two
        Eventually.await("the client's own stream at the origin closed", WAIT, () -> origin.openStreams() == 1);
        assertTrue(heard.refused.isEmpty(), () -> "the move is no one's failure: " + heard);
        assertEquals(0, c.health().recentFailures(proxy.uri()));

        // the proxy's stream carries the changes from now on
        LocalOrigin.writeCosts(origin.maps, 42);
        heard.awaitCost(42);
    }

    @Test
    void aProxyWithoutAStreamIsTriedBesideTheOriginsWhichGoesOn() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        proxy.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.NOTHING);
        HeardUpdates heard = new HeardUpdates();
        AltoClient c = fallenBackToTheOrigin(origin, proxy, heard);
        int tried = proxy.posts();

        clock.advance(PAST_FAILURES);
        Eventually.await("the proxy's stream tried again", WAIT, () -> proxy.posts() > tried);
        Eventually.await("the proxy failing again", WAIT, () -> c.health().recentFailures(proxy.uri()) > 0);
        assertNull(heard.following.poll(1, TimeUnit.SECONDS), () -> "still on the origin's stream, not subscribed again: "
                + heard);
        assertEquals(1, origin.openStreams());
        assertTrue(heard.refused.isEmpty(), () -> "a move that did not happen tells nothing: " + heard);
        LocalOrigin.writeCosts(origin.maps, 43);
        heard.awaitCost(43);
    }

    /** A client following, whose subscription at the proxy failed and who follows the origin's stream. */
    private AltoClient fallenBackToTheOrigin(LocalOrigin origin, SwitchableRelay proxy, HeardUpdates heard)
            throws Exception {
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))));
        c.refreshMaps(); // from the origin: the proxy fails
        started.add(c.follow(heard));
        assertEquals(Optional.of(origin.uri() + "/updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                heard::toString);
        ClientException failed = heard.refused.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(failed != null && failed.uri().equals(URI.create(proxy.base() + "updates")), heard::toString);
        assertInstanceOf(ClientException.class, failed);
        assertEquals(1, origin.openStreams());
        return c;
    }
}

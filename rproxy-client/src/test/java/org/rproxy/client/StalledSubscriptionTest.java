package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.Eventually;

/**
 * A proxy that answers a subscription with the head of a refusal and never sends its body (its
 * path went dead mid-answer) holds a follower no longer than the client's timeout, and not at all
 * once the follower is closed: the follower gives the subscription up, blames the proxy and
 * follows the origin's stream. A real streaming origin, a relay as the proxy.
 */
class StalledSubscriptionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aSubscriptionWhoseRefusalNeverEndsIsGivenUpAfterTheTimeout() throws Exception {
        Stalled s = followingWithAStalledProxy(Duration.ofSeconds(8));
        HeardUpdates heard = s.heard();

        assertEquals(Optional.of(s.origin().uri() + "/updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                () -> "the follower still waits for the proxy's answer: " + heard);
        ClientException why = heard.await(ClientException.TimedOut.class);
        assertEquals(s.proxy().base() + "updates", why.uri().toString());
        assertTrue(why.getMessage().contains("no complete response within 8s"), why::getMessage);
        assertEquals(1, s.client().health().recentStreamFailures(s.proxy().uri()), s.client().health()::toString);
    }

    @Test
    void closingTheFollowerWhileARefusalStallsEndsItsThreadAtOnce() throws Exception {
        Stalled s = followingWithAStalledProxy(Duration.ofSeconds(20));
        Eventually.await("the follower's subscription at the proxy", WAIT, () -> s.proxy().posts() == 1);

        UpdateFollower f = s.follower();
        f.close();
        assertFalse(f.running(), "the follower's thread still waits for the proxy's answer after close");
        assertEquals(0, s.client().health().recentStreamFailures(s.proxy().uri()),
                () -> "the close is not the proxy's failure: " + s.client().health());
    }

    /** The pieces of {@link #followingWithAStalledProxy}. */
    private record Stalled(SwitchableRelay proxy, LocalOrigin origin, AltoClient client, HeardUpdates heard,
                           UpdateFollower follower) {
    }

    /**
     * A streaming origin listing one proxy (a relay in front of it), a client with {@code timeout}
     * that took its maps from the origin while the proxy was down, and its follower, started once the
     * proxy sends answers' heads only.
     */
    private Stalled followingWithAStalledProxy(Duration timeout) throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        proxy.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1)).withTimeout(timeout)));
        c.refreshMaps();
        proxy.mode(SwitchableRelay.Mode.HEAD_ONLY);
        HeardUpdates heard = new HeardUpdates();
        return new Stalled(proxy, origin, c, heard, started.add(c.follow(heard)));
    }
}

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
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        AltoClient c = stalledAtTheProxy(proxy, origin, Duration.ofSeconds(4));
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));

        assertEquals(Optional.of(origin.uri() + "/updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                () -> "the follower still waits for the proxy's answer: " + heard);
        ClientException why = heard.await(ClientException.TimedOut.class);
        assertEquals(proxy.base() + "updates", why.uri().toString());
        assertTrue(why.getMessage().contains("no complete response within 4s"), why::getMessage);
        assertEquals(1, c.health().recentStreamFailures(proxy.uri()), c.health()::toString);
    }

    @Test
    void closingTheFollowerWhileARefusalStallsEndsItsThreadAtOnce() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        AltoClient c = stalledAtTheProxy(proxy, origin, Duration.ofSeconds(20));
        HeardUpdates heard = new HeardUpdates();
        UpdateFollower f = started.add(c.follow(heard));
        Eventually.await("the follower's subscription at the proxy", WAIT, () -> proxy.posts() == 1);

        f.close();
        assertFalse(f.running(), "the follower's thread still waits for the proxy's answer after close");
        assertEquals(0, c.health().recentStreamFailures(proxy.uri()), () -> "the close is not the proxy's failure: "
                + c.health());
    }

    /** A client that took its maps from the origin while the proxy was down; the proxy now sends answers' heads only. */
    private AltoClient stalledAtTheProxy(SwitchableRelay proxy, LocalOrigin origin, Duration timeout) {
        proxy.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1)).withTimeout(timeout)));
        c.refreshMaps();
        proxy.mode(SwitchableRelay.Mode.HEAD_ONLY);
        return c;
    }
}

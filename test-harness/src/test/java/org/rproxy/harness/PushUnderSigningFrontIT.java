package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.config.ProxyConfig;

/**
 * A push proxy under a signing front ({@code rproxy origin --sign-upstream}): the front's signed
 * directory advertises its update stream, so the proxy subscribes and becomes ready, and a change
 * of the unsigned server reaches it within the front's poll interval and a second: the poll
 * re-signs what changed and the stream pushes it.
 */
class PushUnderSigningFrontIT {
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final String NETWORK_MAP = "/networkmap/my-default-network-map";

    @TempDir
    Path dir;

    @Test
    void becomesReadyAndReceivesAChangeWithinThePollAndASecond() throws Exception {
        try (UnsignedServer unsigned = new UnsignedServer();
             PlainSubscriberIT.Lab front = PlainSubscriberIT.Lab.signingFront(dir, unsigned, POLL);
             PushPullProxy push = PushPullProxy.start(Proxies.config("push", front.origin.baseUri(), front.pub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            PushTree.await(Duration.ofSeconds(20), "push proxy ready: " + push.notReadyBecause(),
                    () -> push.notReadyBecause() == null);
            PushTree.await(Duration.ofSeconds(20), "the network map pushed",
                    () -> push.feed().held().containsKey(NETWORK_MAP));
            assertTrue(body(push.feed().held().get(NETWORK_MAP).identity().body().unsafeArray())
                    .contains(SigningFrontIT.TAG1));
            unsigned.change();
            // The change is read at the next poll (within POLL), signed and pushed (within a second).
            PushTree.await(POLL.plusSeconds(1), "the change pushed",
                    () -> body(push.feed().held().get(NETWORK_MAP).identity().body().unsafeArray())
                            .contains(SigningFrontIT.TAG2));
            String served = body(Proxies.get(push.baseUri() + NETWORK_MAP).body());
            assertTrue(served.contains("198.51.100.0/26"), served);
        }
    }

    private static String body(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

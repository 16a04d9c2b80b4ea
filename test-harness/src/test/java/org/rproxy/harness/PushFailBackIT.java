package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.PushProxy;

/**
 * A push proxy that goes back to its preferred upstream while a reconnect to the fallback is
 * still waiting out its backoff opens one stream, not two: the waiting reconnect is dropped. Two
 * relays in front of one origin stand for the two upstreams; the origin counts the subscribers.
 */
class PushFailBackIT {

    @TempDir
    Path dir;

    PushTree tree;
    Relay preferred;
    Relay fallback;
    PushProxy proxy;

    @BeforeEach
    void start() throws Exception {
        tree = PushTree.start(dir);
        preferred = new Relay(tree.originPort());
        fallback = new Relay(tree.originPort());
        // a long first backoff (1.5 s with the jitter), so the health check (every 200 ms) comes first
        PushFeedConfig feed = PushFeedConfig.of(URI.create(preferred.base()))
                .withFallbacks(List.of(URI.create(fallback.base())), Duration.ofMillis(200))
                // the cut ends the stream by a close; a 1 s read timeout would also end a healthy
                // stream (and move the feed to the fallback) whenever a loaded machine held the
                // feed off the CPU for a second
                .withReadTimeout(PushTree.STEADY_READ_TIMEOUT)
                .withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(4));
        proxy = tree.proxy(feed);
        PushTree.await(Duration.ofSeconds(10), "subscribed through the preferred upstream",
                () -> proxy.feed().stats().connected() && tree.originStream().stats().subscribers() == 1);
    }

    @AfterEach
    void stop() throws Exception {
        preferred.close();
        fallback.close();
        tree.close();
    }

    @Test
    void goingBackToThePreferredUpstreamDuringABackoffOpensOneStream() throws Exception {
        // the preferred upstream's stream is cut while the upstream stays up: the feed moves to
        // the fallback and waits out its backoff, and the health check finds the preferred one
        // healthy first and goes back to it
        long connects = proxy.feed().stats().connects();
        preferred.cut();
        PushTree.await(Duration.ofSeconds(10), "back on the preferred upstream",
                () -> proxy.feed().stats().connected() && proxy.feed().stats().connects() > connects);
        long back = proxy.feed().stats().connects();
        // the reconnect that waited out its backoff has had its turn (and, dropped, opened nothing)
        PushTree.await(Duration.ofSeconds(10), "the waiting reconnect's turn come and gone",
                () -> proxy.feed().stats().reconnectsWaiting() == 0);
        assertEquals(back, proxy.feed().stats().connects(), "no stream opened after going back");
        assertEquals(1, tree.originStream().stats().subscribers(), "one stream from the proxy");
        assertEquals(0, fallback.connections(), "nothing opened to the fallback");
        tree.writeRoutingCost(91);
        PushTree.await(Duration.ofSeconds(30), "changes still pushed",
                () -> String.valueOf(tree.bodyOrNull(proxy.baseUri(), PushTree.COST_MAP)).contains("\"PID2\":91"));
    }
}

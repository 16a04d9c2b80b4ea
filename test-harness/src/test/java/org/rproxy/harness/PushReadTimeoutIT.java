package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.push.PushFeed;

/**
 * {@code push.read-timeout} as configured decides how soon a silently stalled update stream is
 * found: two push proxies from YAML files follow the same origin (heartbeat every 500 ms) through
 * one {@link Relay}; when the relay stalls every connection, the proxy configured with 3 s
 * replaces its stream for want of heartbeats, while the one on the default (20 s) is still waiting.
 * Six heartbeats: at 1200 ms (two and a little), a heartbeat or a read held off the CPU that long
 * on a loaded machine ended the quick proxy's healthy stream before the stall.
 */
class PushReadTimeoutIT {

    private static final Duration SHORT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private PushPullProxy proxy(PushTree tree, String upstream, String name, String push) {
        String yaml = "mode: push\nname: " + name + "\nlisten: {address: '127.0.0.1:0'}\n"
                + "upstream:\n  url: " + upstream + "\n  trust: ['" + tree.publicKey + "']\n" + push;
        return PushPullProxy.start(new ConfigLoader().read(yaml, name + ".yaml", ProxyConfig.class), Clock.systemUTC());
    }

    @Test
    void aStalledStreamIsFoundWithinTheConfiguredReadTimeoutAndNotBefore() throws Exception {
        try (PushTree tree = PushTree.start(dir);
             Relay relay = new Relay(tree.originPort());
             PushPullProxy quick = proxy(tree, relay.base(), "quick",
                     "push: {read-timeout: " + SHORT.toMillis() + "ms, backoff-min: 50ms, backoff-max: 400ms}\n");
             PushPullProxy patient = proxy(tree, relay.base(), "patient", "")) {
            PushTree.await(Duration.ofSeconds(10), "both proxies subscribed",
                    () -> quick.feed().stats().connected() && patient.feed().stats().connected()
                            && quick.feed().held().containsKey(PushTree.COST_MAP));
            assertEquals(Duration.ofSeconds(20), PushPullProxy.feedConfig(
                    new ConfigLoader().read("upstream: {url: 'http://x:1', trust: ['" + tree.publicKey + "']}",
                            "default.yaml", ProxyConfig.class)).readTimeout(), "the default is two default heartbeats");
            // Heartbeats every 500 ms keep both streams alive past the short timeout before the stall.
            Thread.sleep(SHORT.toMillis() + 300); // not synchronisation: the time under test is the point
            assertEquals(1, quick.feed().stats().connects(), "heartbeats kept the quick proxy's stream");
            long connects = quick.feed().stats().connects();

            // found for want of heartbeats (the log says so), before the default timeout would
            // find it: the order, not a time bound, which a loaded machine's scheduling can miss
            try (CapturedLogs logs = CapturedLogs.of(PushFeed.class)) {
                relay.stall();
                logs.await(e -> e.getFormattedMessage().startsWith("update stream from " + relay.base())
                        && e.getFormattedMessage().contains("(no heartbeat within the read timeout)"), Duration.ofSeconds(15));
            }
            assertTrue(!quick.feed().stats().connected() || quick.feed().stats().connects() > connects,
                    "the quick proxy found the stall");
            assertTrue(patient.feed().stats().connected(), "the default read timeout has not run out");
            assertEquals(1, patient.feed().stats().connects());

            tree.writeRoutingCost(91);
            PushTree.await(Duration.ofSeconds(5), "the quick proxy is back on a new connection with the change",
                    () -> quick.feed().held().get(PushTree.COST_MAP).identity().body().asUtf8().contains("\"PID2\":91"));
        }
    }
}

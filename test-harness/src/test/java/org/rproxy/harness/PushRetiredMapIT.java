package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.push.PushProxy;
import org.slf4j.LoggerFactory;

/**
 * A map retired at the origin (its file deleted) no longer blocks a push proxy's update stream.
 * A subscription naming a document the upstream does not have is refused whole (RFC 8895), so a
 * proxy that kept asking for it after a reconnect would never subscribe again and live on pull
 * alone. Whether the proxy heard the substream stopped, or was away when the map went (the
 * origin restarted without it, and refused the next subscription), it follows the map no more,
 * subscribes again, and takes later changes.
 */
class PushRetiredMapIT {

    private static final String EXTRA_FILE = "extra-network-map.json";
    private static final String EXTRA = "/networkmap/extra-network-map";

    @TempDir
    Path dir;

    PushTree tree;
    Relay relay;
    PushProxy proxy;

    @BeforeEach
    void start() throws Exception {
        tree = PushTree.start(dir, EXTRA_FILE,
                "{\"network-map\":{\"X1\":{\"ipv4\":[\"192.0.2.0/24\"]},\"X2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
        relay = new Relay(tree.originPort());
        proxy = tree.proxy(relay.base());
        PushTree.await(Duration.ofSeconds(10), "proxy follows the extra map",
                () -> proxy.feed().held().containsKey(EXTRA) && proxy.feed().stats().connected());
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
        tree.close();
    }

    private void assertSubscribesAgainAndTakesChanges(long connectsBefore, int cost) throws Exception {
        PushTree.await(Duration.ofSeconds(10), "subscribed again",
                () -> proxy.feed().stats().connected() && proxy.feed().stats().connects() > connectsBefore);
        tree.writeRoutingCost(cost);
        PushTree.await(Duration.ofSeconds(5), "the change pushed to the proxy",
                () -> String.valueOf(tree.bodyOrNull(proxy.baseUri(), PushTree.COST_MAP)).contains("\"PID2\":" + cost));
        assertEquals(tree.verifiedBody(tree.originBase(), PushTree.COST_MAP),
                tree.verifiedBody(proxy.baseUri(), PushTree.COST_MAP));
    }

    @Test
    void aMapStoppedOnTheStreamIsNotAskedForOnTheNextConnection() throws Exception {
        Logger control = (Logger) LoggerFactory.getLogger("org.rproxy.push.StreamControl");
        Level level = control.getLevel();
        control.setLevel(Level.INFO); // the tests' logging is quieter
        try (CapturedLogs logs = CapturedLogs.of(control.getName())) {
            Files.delete(tree.maps.resolve(EXTRA_FILE));
            PushTree.await(Duration.ofSeconds(5), "the origin retired the map",
                    () -> tree.get(tree.originBase(), EXTRA).statusCode() == 404);
            // the stopped substream reaches the proxy, which follows the map no more (was a 300 ms sleep)
            logs.await(e -> e.getFormattedMessage().startsWith("upstream stopped substreams")
                    && e.getFormattedMessage().contains("extra-network-map"), Duration.ofSeconds(30));
        } finally {
            control.setLevel(level);
        }
        long connects = proxy.feed().stats().connects();
        relay.cut();
        assertSubscribesAgainAndTakesChanges(connects, 83);
        assertEquals(connects + 1, proxy.feed().stats().connects(), "subscribed at the first attempt: nothing refused");
    }

    @Test
    void aMapRetiredWhileTheProxyWasAwayIsDroppedWhenTheUpstreamRefusesIt() throws Exception {
        long connects = proxy.feed().stats().connects();
        tree.restartOrigin(() -> {
            Files.delete(tree.maps.resolve(EXTRA_FILE));
            PushTree.await(Duration.ofSeconds(3), "proxy notices", () -> !proxy.feed().stats().connected());
        });
        assertEquals(404, tree.get(tree.originBase(), EXTRA).statusCode());
        assertSubscribesAgainAndTakesChanges(connects, 84);
    }
}

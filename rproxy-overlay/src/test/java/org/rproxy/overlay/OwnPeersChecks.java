package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.configOfTwo;
import static org.rproxy.overlay.NamespaceChecks.ip;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Namespace checks of the peers a node's own DHT storage holds (run by {@link NamespaceChecks}). */
final class OwnPeersChecks {
    private OwnPeersChecks() {
    }

    /**
     * Two nodes: the publisher's announcement can land only on the client's DHT node (a node
     * does not store on itself), and the client's lookup asks every node but its own. Its
     * lookup must still find the publisher: in a small DHT the client is often among the
     * closest nodes to a torrent, and a fetch that never hears of its seeder gives it up.
     */
    static void announcementStoredOnTheReaderAloneIsFound(Path dir) throws Exception {
        try (OverlayPublisher p = OverlayPublisher.start(configOfTwo(dir, 1, key(dir, 1)));
             OverlayClient c = OverlayClient.start(configOfTwo(dir, 3, null))) {
            joined(p, c);
            byte[] ih = node(p).swarm().seed("bundle.http", new byte[600]);
            say("announce: " + node(p).announce(ih).get(60, TimeUnit.SECONDS));
            PeersFound found = node(c).dht().peers(ih).get(60, TimeUnit.SECONDS);
            say("peers found: " + found);
            assertTrue(found.peers().stream().anyMatch(a -> a.getAddress().getHostAddress().equals(ip(1))),
                    "the publisher's announcement, held by the reader's own node, is found: " + found);
        }
    }
}

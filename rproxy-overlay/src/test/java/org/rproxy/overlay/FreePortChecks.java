package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.ORIGIN;
import static org.rproxy.overlay.NamespaceChecks.bundle;
import static org.rproxy.overlay.NamespaceChecks.config;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.directory;
import static org.rproxy.overlay.NamespaceChecks.ip;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.client.VerifiedDocument;

/**
 * Client peers given ports 0 ({@code dht-port: 0}, {@code bt-port: 0}) take free ones, run by
 * {@link OverlayNamespaceTest} through {@link NamespaceChecks}: host 1 a publisher, host 2 a DHT
 * node beside it, hosts 3 and 4 viewer peers, host 3's 6881 (UDP) and 7003 (TCP) held by another program, as a BitTorrent
 * client on a viewer's machine holds them.
 */
final class FreePortChecks {
    private FreePortChecks() {
    }

    /**
     * Peer 3 starts beside the ports another program holds, takes map-a from the publisher and
     * seeds it; with the publisher gone, peer 4 takes it from peer 3, whose announcement named the
     * port its swarm took. Before, ports 0 were refused: "dht-port: 0 (expected: 1 to 65535)", and
     * a viewer app had to pick ports the user's other programs might hold.
     */
    static void peersGivenPortsZeroTakeFreeOnes(Path dir) throws Exception {
        InetAddress three = InetAddress.getByName(ip(3));
        try (DatagramSocket otherDht = new DatagramSocket(new InetSocketAddress(three, 6881));
             ServerSocket otherBt = new ServerSocket(7003, 1, three)) {
            say("another program holds " + otherDht.getLocalSocketAddress() + " (UDP) and "
                    + otherBt.getLocalSocketAddress() + " (TCP)");
            // the vendor's fixed nodes: the publisher and a DHT node beside it, each the other's bootstrap
            DhtNode supernode = NamespaceChecks.dhtNode(2, dir, List.of(new InetSocketAddress(ip(1), 6881)));
            OverlayPublisher publisher = OverlayPublisher.start(config(dir, 1, key(dir, 1)).toBuilder()
                    .bootstrap(NamespaceChecks.boot(2)).build());
            try (supernode;
                 OverlayClient first = OverlayClient.start(viewer(dir, 3));
                 OverlayClient second = OverlayClient.start(viewer(dir, 4))) {
                OverlayConfig taken = node(first).config();
                say("peer 3 took dht-port " + taken.dhtPort() + ", bt-port " + taken.btPort());
                assertNotEquals(0, taken.dhtPort());
                assertNotEquals(6881, taken.dhtPort());
                assertNotEquals(7003, taken.btPort());
                joined(publisher, first, second);
                Instant t = Instant.now().minusSeconds(30);
                say("put a: " + publisher.publish(bundle(ORIGIN, "map-a", t, "a1"), t.getEpochSecond())
                        .get(90, TimeUnit.SECONDS));
                Object got = new OverlayOnlySources(directory(List.of(publisher.publicKey())), List.of(ORIGIN.publicKey()),
                        first).fetch("/networkmap/map-a");
                say("peer 3: " + describe(got));
                assertTrue(got instanceof VerifiedDocument d && "magnet".equals(d.source().getScheme()),
                        "peer 3 took map-a from the overlay: " + describe(got));
                publisher.close();
                Object again = new OverlayOnlySources(directory(List.of(publisher.publicKey())),
                        List.of(ORIGIN.publicKey()), second).fetch("/networkmap/map-a");
                say("peer 4, the publisher gone: " + describe(again));
                assertTrue(again instanceof VerifiedDocument d && "magnet".equals(d.source().getScheme()),
                        "peer 4 took map-a from peer 3: " + describe(again));
            } finally {
                publisher.close();
            }
        }
    }

    /** A viewer peer on {@code host}, its ports left to the start, joining through the vendor's two nodes. */
    private static OverlayConfig viewer(Path dir, int host) {
        return config(dir, host, null).toBuilder().dhtPort(0).btPort(0).bootstrap(NamespaceChecks.boot(1, 2)).build();
    }
}

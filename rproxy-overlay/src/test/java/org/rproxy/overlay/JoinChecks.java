package org.rproxy.overlay;

import static org.rproxy.overlay.NamespaceChecks.ip;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** How a DHT node counts as joined, in a network namespace (see {@link NamespaceChecks}). */
final class JoinChecks {

    private JoinChecks() {
    }

    /**
     * A bootstrap node whose own bootstrap list is all down (host 2: nobody there) is joined once
     * a peer joins through it: it asks the peer back, and the peer's answer makes it a node of its
     * routing table. Before, mldht kept the peer out of the table proper (it contacted the node but
     * never answered it), the node never reported {@code joined()} though peers joined through it,
     * and its own lookups waited for the join.
     */
    static void aBootstrapNodeOthersReachCountsAsJoined(Path dir) throws Exception {
        try (DhtNode boot = NamespaceChecks.dhtNode(1, dir, List.of(new InetSocketAddress(ip(2), 6881)));
             DhtNode peer = NamespaceChecks.dhtNode(3, dir, List.of(new InetSocketAddress(ip(1), 6881)))) {
            peer.joined().get(60, TimeUnit.SECONDS);
            long start = System.nanoTime();
            say("the peer joined through host 1, which knows " + boot.knownNodes() + " nodes, may start lookups from "
                    + boot.lookupNodes());
            boot.joined().get(60, TimeUnit.SECONDS); // the old code: not within 150 s, nor ever
            say("host 1 joined " + (System.nanoTime() - start) / 1_000_000 + " ms after the peer did; it knows "
                    + boot.knownNodes() + " nodes");
        }
    }
}

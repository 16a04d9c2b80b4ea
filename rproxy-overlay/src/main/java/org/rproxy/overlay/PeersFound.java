package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What one BEP 5 {@code get_peers} lookup of a torrent found ({@link DhtNode#peers}). Immutable.
 *
 * @param peers    the peers the nodes returned, those named by the most nodes first ({@link PeerTally})
 * @param answered the nodes that answered: a lookup none answered found nothing, but proves nothing either
 */
record PeersFound(List<InetSocketAddress> peers, int answered) {
    PeersFound {
        peers = List.copyOf(requireNonNull(peers, "peers"));
    }
}

package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.Database;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.PeerAddressDBItem;

/**
 * The peers of a torrent a DHT node itself stores (BEP 5 announcements other nodes made to it),
 * where its own peer lookups start: a lookup asks every node but this one ({@link OwnAddresses}),
 * and a publisher's announcement lands on the closest nodes other than the publisher, of which
 * this one may be (in a small DHT often the only one that took it); its own fetch would
 * otherwise never hear of the seeder and give the torrent up ({@link SeederWatch}). Stateless.
 */
final class OwnPeers {
    private OwnPeers() {
    }

    /** The peers and seeds {@code dht} stores for {@code infoHash} (none before its start). */
    static Set<InetSocketAddress> of(DHT dht, Key infoHash) {
        Database db = dht.getDatabase();
        Database.PeersSeeds held = db == null ? null : db.getData().get(infoHash);
        if (held == null) {
            return Set.of();
        }
        return Stream.concat(held.peers().stream(), held.seeds().stream())
                .map(PeerAddressDBItem::toSocketAddress).collect(Collectors.toSet());
    }
}

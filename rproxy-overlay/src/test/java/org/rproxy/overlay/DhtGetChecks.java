package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

/**
 * The {@link NamespaceChecks} of a DHT get, run as they are (in a network namespace of their own,
 * hosts 1 and 3 of {@link NamespaceChecks#boot()}).
 */
final class DhtGetChecks {
    private DhtGetChecks() {
    }

    /**
     * Node 3 puts an item; in a DHT of two nodes it lands on node 1 alone (a put never stores on
     * the node that makes it). Node 1's own get must find it: its lookup asks every node but
     * itself, and node 3 does not hold it.
     */
    static void itemStoredOnTheAskingNodeAloneIsFound(Path dir) throws Exception {
        List<InetSocketAddress> boot = OverlayNode.addresses(NamespaceChecks.boot(1, 3));
        try (DhtNode asking = DhtNode.start(InetAddress.getByName(NamespaceChecks.ip(1)), 6881,
                     Files.createDirectories(dir.resolve("dht-1")), boot, false);
             DhtNode putting = DhtNode.start(InetAddress.getByName(NamespaceChecks.ip(3)), 6881,
                     Files.createDirectories(dir.resolve("dht-3")), boot, false)) {
            asking.joined().get(60, TimeUnit.SECONDS);
            putting.joined().get(60, TimeUnit.SECONDS);
            DhtKey key = DhtKeys.fresh();
            byte[] salt = "map-a".getBytes(StandardCharsets.UTF_8);
            Stored put = putting.put(GenericStorage.buildMutable("pointer", key.privateKey(), salt, 7)).get(60, TimeUnit.SECONDS);
            NamespaceChecks.say("put from node 3: " + put + "; node 1 stores " + asking.storedItems() + " items, node 3 "
                    + putting.storedItems());
            assertEquals(1, put.nodes(), "nodes that took node 3's put (node 1 alone)");
            assertEquals(1, asking.storedItems(), "items node 1 stores");
            assertEquals(0, putting.storedItems(), "items node 3 stores (none: else this check proves nothing)");
            Optional<StorageItem> got = asking.get(key.publicKey(), salt).get(60, TimeUnit.SECONDS);
            NamespaceChecks.say("node 1's get: " + got.map(i -> "seq " + i.seq()).orElse("none"));
            assertEquals(Optional.of(7L), got.map(StorageItem::seq), "the item node 1 alone stores, found by node 1's get");
        }
    }
}

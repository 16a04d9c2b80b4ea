package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

/**
 * {@link NamespaceChecks} of a lookup against a node that lists honest nodes at addresses where
 * they are not. Run as they are.
 */
final class HostileListingChecks {
    private HostileListingChecks() {
    }

    /**
     * Nodes 3 and 4 are an honest DHT of their own, and node 4's put lands on node 3 alone. The
     * reader (node 1) knows only the hostile node (host 2), which answers its get listing node 3's
     * IP with a wrong port under an id made up to be the closest to the target, and node 4 where
     * it is. Node 4 then lists node 3 where it is: the reader must ask it there and find the item.
     * A lookup that asks each IP once, under the first listing it heard, spent node 3's IP on the
     * port where nothing answers and dropped node 4's listing of it, finding nothing: one answer
     * kept an honest node out of every lookup that heard it first.
     */
    static void anAddressListedWithAWrongPortIsStillAskedWhereTheNodeIs(Path dir) throws Exception {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        DhtKey publisher = DhtKey.ofSeed(seed);
        byte[] salt = "map-a".getBytes(StandardCharsets.UTF_8);
        BiFunction<Map<String, Object>, Map<String, Object>, Map<String, Object>> answer = (q, r) -> {
            byte[] target = (byte[]) q.get("target");
            ByteBuffer nodes = ByteBuffer.allocate(2 * 26);
            byte[] closest = target.clone();
            closest[19] ^= 1; // as close to the target as an id can be, and not node 3's
            nodes.put(closest).put(new byte[] {100, 64, 0, 3}).putShort((short) 6882);
            byte[] other = new byte[20];
            new SecureRandom().nextBytes(other);
            nodes.put(other).put(new byte[] {100, 64, 0, 4}).putShort((short) 6881);
            r.put("nodes", nodes.array());
            return r;
        };
        List<InetSocketAddress> honestBoot = OverlayNode.addresses(NamespaceChecks.boot(3, 4));
        try (HostileDhtChecks.HostileNode hostile = new HostileDhtChecks.HostileNode(
                new InetSocketAddress(NamespaceChecks.ip(2), 6881), answer);
             DhtNode holder = NamespaceChecks.dhtNode(3, dir, honestBoot);
             DhtNode putting = NamespaceChecks.dhtNode(4, dir, honestBoot);
             DhtNode reader = NamespaceChecks.dhtNode(1, dir, List.of(new InetSocketAddress(NamespaceChecks.ip(2), 6881)))) {
            holder.joined().get(60, TimeUnit.SECONDS);
            putting.joined().get(60, TimeUnit.SECONDS);
            reader.joined().get(60, TimeUnit.SECONDS);
            Stored put = putting.put(GenericStorage.buildMutable("pointer", publisher.privateKey(), salt, 7))
                    .get(60, TimeUnit.SECONDS);
            NamespaceChecks.say("put from node 4: " + put + "; node 3 stores " + holder.storedItems() + " items, node 4 "
                    + putting.storedItems());
            assertEquals(1, holder.storedItems(), "items node 3 stores (else this check proves nothing)");
            assertEquals(0, putting.storedItems(), "items node 4 stores (else the reader finds it there, proving nothing)");
            long start = System.nanoTime();
            Optional<StorageItem> got = reader.get(publisher.publicKey(), salt).get(60, TimeUnit.SECONDS);
            NamespaceChecks.say("the reader's get: " + got.map(i -> "seq " + i.seq()).orElse("none") + " after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms (" + hostile.queries()
                    + " queries answered by the hostile node)");
            assertEquals(Optional.of(7L), got.map(StorageItem::seq),
                    "the item node 3 holds, found by the reader though the hostile node listed node 3 with a wrong port");
        }
    }
}

package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * they are not, or that answers late (what a busy peer sees of every node). Run as they are.
 */
final class HostileListingChecks {
    /**
     * How long the slow node takes to answer a get: longer than two of the lookup's stall
     * timeouts for a node it heard from (500 ms each), well within the wait for late answers.
     */
    private static final long SLOW_MS = 2000;

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
        Optional<StorageItem> got = readerGetsThrough(dir, "hostile", answer, putting -> {
            assertEquals(0, putting.storedItems(), "items node 4 stores (else the reader finds it there, proving nothing)");
            // node 4 answers a get with the nodes its routing table may list, and node 3 is one only
            // once it answered node 4 as a table entry (a put's lookup alone need not make it one)
            InetSocketAddress holderAt = new InetSocketAddress(NamespaceChecks.ip(3), 6881);
            NamespaceChecks.waitFor(() -> listable(putting).contains(holderAt), 30);
            NamespaceChecks.say("node 4 lists " + listable(putting));
            assertTrue(listable(putting).contains(holderAt), "node 4 lists node 3 (else the reader cannot learn of it)");
        });
        assertEquals(Optional.of(7L), got.map(StorageItem::seq),
                "the item node 3 holds, found by the reader though the hostile node listed node 3 with a wrong port");
    }

    /**
     * The reader (node 1) knows only node 2, which answers its pings at once and its gets
     * {@value #SLOW_MS} ms late, listing node 3, which holds the item. Both of the reader's
     * requests to node 2 stall before the answer comes; the lookup must still hear it and ask node
     * 3. Before, a lookup whose every request had stalled ended there with nothing found, after
     * about a second, and a pointer lookup took that for final: under load (a busy phone, a build
     * on two cores) every answer comes late, and the overlay found nothing it held.
     */
    static void aNodeThatAnswersLateIsStillHeard(Path dir) throws Exception {
        BiFunction<Map<String, Object>, Map<String, Object>, Map<String, Object>> slowly = (q, r) -> {
            try {
                Thread.sleep(SLOW_MS); // the slow node's delay, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] anyId = new byte[20];
            new SecureRandom().nextBytes(anyId);
            r.put("nodes", ByteBuffer.allocate(26).put(anyId).put(new byte[] {100, 64, 0, 3}).putShort((short) 6881).array());
            return r;
        };
        Optional<StorageItem> got = readerGetsThrough(dir, "slow", slowly, putting -> { });
        assertEquals(Optional.of(7L), got.map(StorageItem::seq), "the item node 3 holds, found through the node that answered late");
    }

    /**
     * Nodes 3 and 4 are an honest DHT of their own, and node 4's put lands on node 3; the reader
     * (node 1) knows only node 2 ({@code name}), a {@link HostileDhtChecks.HostileNode} whose gets
     * {@code answer} makes. Once {@code ready} has checked node 4, returns what the reader's get
     * found.
     */
    private static Optional<StorageItem> readerGetsThrough(Path dir, String name,
            BiFunction<Map<String, Object>, Map<String, Object>, Map<String, Object>> answer,
            ThrowingConsumer<DhtNode> ready) throws Exception {
        DhtKey publisher = DhtKeys.fresh();
        byte[] salt = "map-a".getBytes(StandardCharsets.UTF_8);
        List<InetSocketAddress> honestBoot = OverlayNode.addresses(NamespaceChecks.boot(3, 4));
        try (HostileDhtChecks.HostileNode node2 = new HostileDhtChecks.HostileNode(
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
            ready.accept(putting);
            long start = System.nanoTime();
            Optional<StorageItem> got = reader.get(publisher.publicKey(), salt).get(60, TimeUnit.SECONDS);
            NamespaceChecks.say("the reader's get: " + got.map(i -> "seq " + i.seq()).orElse("none") + " after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms (" + node2.queries() + " queries answered by the "
                    + name + " node)");
            return got;
        }
    }

    /** A check of a node that may throw what the check does. */
    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    /** The addresses {@code node}'s routing table may list in an answer (mldht's nodes list). */
    private static List<InetSocketAddress> listable(DhtNode node) {
        return DhtRestartChecks.mldht(node).getNode().table().stream().flatMap(e -> e.getBucket().getEntries().stream())
                .filter(e -> e.eligibleForNodesList()).map(e -> e.getAddress()).toList();
    }

    /**
     * The hostile node (host 2) answers the reader's get listing 24 made-up nodes closest to the
     * target, at addresses (100.64.0.11-34, added here) where sockets read and never answer; node
     * 3, which the reader also knows, holds the item. Once three of the hostile node's listings
     * were asked twice in vain, the rest it named must not be asked nor waited for: before, the
     * lookup asked each of the 24 twice (48 requests) and ended some 9 s later, most of a client's
     * budget.
     */
    static void madeUpListingsOfOneNodeAreGivenUpAfterAFew(Path dir) throws Exception {
        DhtKey publisher = DhtKeys.fresh();
        byte[] salt = "map-a".getBytes(StandardCharsets.UTF_8);
        int madeUp = 24;
        List<java.net.DatagramSocket> silent = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
        try {
            for (int i = 0; i < madeUp; i++) {
                String ip = "100.64.0." + (11 + i);
                NamespaceChecks.onLoopback(ip);
                silent.add(GoneNodeChecks.silent(new InetSocketAddress(ip, 6881), heard));
            }
            java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();
            BiFunction<Map<String, Object>, Map<String, Object>, Map<String, Object>> answer = (q, r) -> {
                byte[] target = (byte[]) q.get("target");
                gets.incrementAndGet();
                ByteBuffer nodes = ByteBuffer.allocate(madeUp * 26);
                for (int i = 0; i < madeUp; i++) {
                    byte[] id = target.clone();
                    id[19] ^= (byte) (i + 1);
                    nodes.put(id).put(new byte[] {100, 64, 0, (byte) (11 + i)}).putShort((short) 6881);
                }
                r.put("nodes", nodes.array());
                return r;
            };
            List<InetSocketAddress> honestBoot = OverlayNode.addresses(NamespaceChecks.boot(3, 4));
            try (HostileDhtChecks.HostileNode hostile = new HostileDhtChecks.HostileNode(
                    new InetSocketAddress(NamespaceChecks.ip(2), 6881), answer);
                 DhtNode holder = NamespaceChecks.dhtNode(3, dir, honestBoot);
                 DhtNode putting = NamespaceChecks.dhtNode(4, dir, honestBoot);
                 DhtNode reader = NamespaceChecks.dhtNode(1, dir, List.of(new InetSocketAddress(NamespaceChecks.ip(2), 6881),
                         new InetSocketAddress(NamespaceChecks.ip(3), 6881)))) {
                holder.joined().get(60, TimeUnit.SECONDS);
                putting.joined().get(60, TimeUnit.SECONDS);
                reader.joined().get(60, TimeUnit.SECONDS);
                Stored put = putting.put(GenericStorage.buildMutable("pointer", publisher.privateKey(), salt, 7))
                        .get(60, TimeUnit.SECONDS);
                NamespaceChecks.say("put from node 4: " + put);
                heard.set(0);
                gets.set(0);
                long start = System.nanoTime();
                Optional<StorageItem> got = reader.get(publisher.publicKey(), salt).get(60, TimeUnit.SECONDS);
                NamespaceChecks.say("the reader's get: " + got.map(i -> "seq " + i.seq()).orElse("none") + " after "
                        + (System.nanoTime() - start) / 1_000_000 + " ms, " + heard.get() + " requests to the " + madeUp
                        + " made-up nodes (" + gets.get() + " gets of " + hostile.queries() + " queries answered by the hostile node)");
                assertEquals(Optional.of(7L), got.map(StorageItem::seq), "the item node 3 holds");
                assertTrue(gets.get() > 0, "the hostile node was asked (else this check proves nothing)");
                assertTrue(heard.get() <= madeUp, "requests to the " + madeUp + " made-up nodes one answer listed: "
                        + heard.get() + " (expected: fewer than one each; asking each twice is " + 2 * madeUp + ")");
            }
        } finally {
            silent.forEach(java.net.DatagramSocket::close);
        }
    }
}

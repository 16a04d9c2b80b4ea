package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.RPCCall;
import lbms.plugins.mldht.kad.RPCCallListener;
import lbms.plugins.mldht.kad.messages.AbstractLookupResponse;
import lbms.plugins.mldht.kad.messages.GetPeersRequest;
import lbms.plugins.mldht.kad.messages.GetRequest;
import lbms.plugins.mldht.kad.messages.MessageBase;

/**
 * The {@link NamespaceChecks} of a DHT node restarted on the same address, run as they are (in
 * a network namespace of their own, hosts 1 and 3 of {@link NamespaceChecks#boot()}).
 */
final class DhtRestartChecks {
    private static final int RESTARTS = 5;

    private DhtRestartChecks() {
    }

    /**
     * Node 1 joins node 3, stops, and starts again on the same address with a new node id (ids
     * are not persisted), while node 3 still lists it under its old one and hands that entry out.
     * Node 1's lookups (a put, a get, a peer lookup), made at once, must send no request to its
     * own address, under any id: its node drops a request from its own id unanswered, and a
     * lookup waited out two attempts for it (some 16 s). Node 3 forgets the old id as soon as
     * it asks that address and hears the new one, so a restart whose lookups were not handed the
     * old entry proves nothing, and is made again (up to {@value #RESTARTS} times), each time
     * with two new nodes: a node 3 that heard an address answer under a new id did not list it
     * again for 30 s and more under load, so restarts against it proved nothing either (two of
     * six runs failed so, at a load of 24 with three runs at once).
     */
    static void restartedNodeAsksNotItself(Path dir) throws Exception {
        for (int restart = 1; restart <= RESTARTS; restart++) {
            if (restartProved(dir.resolve("restart-" + restart), restart)) {
                return;
            }
        }
        throw new AssertionError("in " + RESTARTS + " restarts, node 3 never handed node 1 an entry for its own"
                + " address under its old id: this check proved nothing");
    }

    /**
     * One restart of node 1 beside a node 3 of its own (both keeping their tables under
     * {@code dir}); true when node 3 handed the restarted node's lookups its old entry (and then
     * none of them was sent to its own address), false when it proved nothing.
     */
    private static boolean restartProved(Path dir, int restart) throws Exception {
        // hosts 1 and 3 alone: a bootstrap naming a host that is not there would hold every
        // start's join (and so its lookups) for DhtJoin's three seconds, while node 3 hears the
        // restarted node's pings and may ask its address, learning its new id, before they come
        List<InetSocketAddress> boot = OverlayNode.addresses(NamespaceChecks.boot(1, 3));
        InetAddress host1 = InetAddress.getByName(NamespaceChecks.ip(1));
        InetSocketAddress self = new InetSocketAddress(host1, 6881);
        Path storage = Files.createDirectories(dir.resolve("dht-1"));
        try (DhtNode other = DhtNode.start(InetAddress.getByName(NamespaceChecks.ip(3)), 6881,
                Files.createDirectories(dir.resolve("dht-3")), boot, false)) {
            DhtNode node = DhtNode.start(host1, 6881, storage, boot, false);
            try {
                node.joined().get(60, TimeUnit.SECONDS);
                other.joined().get(60, TimeUnit.SECONDS);
                awaitListed(other, self);
                Key before = mldht(node).getNode().getRootID();
                NamespaceChecks.say("restart " + restart + ": node 3 lists node 1 as "
                        + listed(other, self).map(KBucketEntry::getID).orElse(null) + ", its id " + before);
                node.close();
                node = DhtNode.start(host1, 6881, storage, boot, false);
                assertFalse(before.equals(mldht(node).getNode().getRootID()), "a new node id at each start");
                SelfRequests seen = SelfRequests.watch(mldht(node), self);
                lookUp(node);
                NamespaceChecks.say("restart " + restart + ": " + seen);
                if (seen.handedOut() > 0) {
                    assertEquals(0, seen.sent(), "lookup requests the restarted node sent to its own address");
                    return true;
                }
                return false;
            } finally {
                node.close();
            }
        }
    }

    /** A put, a get and a peer lookup from {@code node}, one after the other. */
    private static void lookUp(DhtNode node) throws Exception {
        DhtKey key = DhtKeys.fresh();
        byte[] salt = "res".getBytes(StandardCharsets.UTF_8);
        NamespaceChecks.say("put: " + node.put(GenericStorage.buildMutable("v", key.privateKey(), salt, 1))
                .get(60, TimeUnit.SECONDS));
        NamespaceChecks.say("get: " + node.get(key.publicKey(), salt).get(60, TimeUnit.SECONDS)
                .map(i -> "seq " + i.seq()).orElse("none"));
        byte[] infoHash = new byte[20];
        new SecureRandom().nextBytes(infoHash);
        NamespaceChecks.say("peers: " + node.peers(infoHash).get(60, TimeUnit.SECONDS));
    }

    /**
     * Waits (at most 30 s) until {@code node} hands out an entry for {@code address}: it learns
     * a node from the node's messages, and takes it once it answered; there is no event for it.
     */
    private static void awaitListed(DhtNode node, InetSocketAddress address) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (listed(node, address).isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
        }
    }

    /** The entry for {@code address} that {@code node} hands out in its answers (from its routing table), if any. */
    static Optional<KBucketEntry> listed(DhtNode node, InetSocketAddress address) {
        return mldht(node).getNode().table().stream().flatMap(e -> e.getBucket().entriesStream())
                .filter(e -> e.getAddress().equals(address) && e.eligibleForNodesList()).findAny();
    }

    static DHT mldht(DhtNode node) {
        try {
            return (DHT) NamespaceChecks.field(node, "dht");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Counts, among a node's lookup requests (BEP 44 get, BEP 5 get_peers: ours; mldht's own
     * lookups send find_node), those sent to its own address, and the entries naming its own
     * address under another id in the answers to them. Thread-safe.
     */
    private static final class SelfRequests {
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger handedOut = new AtomicInteger();

        /** Watches the requests {@code dht} sends from now on. */
        static SelfRequests watch(DHT dht, InetSocketAddress self) {
            SelfRequests out = new SelfRequests();
            RPCCallListener answers = new RPCCallListener() {
                @Override
                public void onResponse(RPCCall c, MessageBase rsp) {
                    if (rsp instanceof AbstractLookupResponse lookup) {
                        lookup.getNodes(dht.getType()).entries()
                                .filter(e -> self.equals(e.getAddress()) && !dht.getNode().isLocalId(e.getID()))
                                .forEach(e -> out.handedOut.incrementAndGet());
                    }
                }
            };
            // mldht makes the node's server in its start (and opens its socket in the background)
            assertFalse(dht.getServerManager().getAllServers().isEmpty(), "the node's server, made in its start");
            dht.getServerManager().getAllServers().forEach(srv -> srv.onEnqueue(call -> {
                MessageBase request = call.getRequest();
                if (request instanceof GetRequest || request instanceof GetPeersRequest) {
                    if (self.equals(request.getDestination())) {
                        out.sent.incrementAndGet();
                    }
                    call.addListener(answers);
                }
            }));
            return out;
        }

        int sent() {
            return sent.get();
        }

        int handedOut() {
            return handedOut.get();
        }

        @Override
        public String toString() {
            return handedOut + " entries for its own address under another id handed to its lookups, "
                    + sent + " lookup requests sent to its own address";
        }
    }
}

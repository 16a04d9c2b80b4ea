package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import lbms.plugins.mldht.DHTConfiguration;
import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.RPCServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of the mainline DHT (BEP 5), run by the8472's mldht: what the overlay needs of it,
 * as futures: BEP 44 mutable items put and got (the pointers), and BEP 5 peers looked up and
 * announced (the swarms of the bundles). mldht runs the node, its routing table and the RPCs;
 * the lookups are ours ({@link NearestLookup}), so that a put lands on, and a get hears from,
 * the nodes closest to the target. Bound to one address when given one (so a test can keep it
 * inside its namespace), seeded with the configured bootstrap nodes, and with the public router
 * bootstrap off unless asked for.
 *
 * <p>mldht runs its own selector and scheduler threads; the futures complete on them, so
 * callers must not block in their continuations. Thread-safe.
 */
final class DhtNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DhtNode.class);

    /** How often the node trims what it stores for others back to its bounds. */
    static final long TRIM_SECONDS = 10;

    private final GuardedDht dht;
    private final DhtJoin join;
    /** The address and port the node's socket holds (any address when no bind was given). */
    private final InetSocketAddress socket;
    /** Whether answers to this node's lookups came late lately, which its lookups tell and read. */
    private final AnswerDelays delays = new AnswerDelays();

    private DhtNode(GuardedDht dht, ContactAsks asks, List<InetSocketAddress> bootstrap, InetSocketAddress socket) {
        this.dht = dht;
        this.join = new DhtJoin(dht, asks, bootstrap);
        this.socket = socket;
    }

    /**
     * Starts a node on {@code bind} (null: mldht's own choice of a global address) and
     * {@code port}, keeping its routing table under {@code storage}, and pings the bootstrap
     * nodes as soon as its socket is up. Returns once mldht holds the socket ({@link DhtSocket}).
     *
     * @throws UncheckedIOException when mldht could not open the node's socket
     */
    static DhtNode start(InetAddress bind, int port, Path storage, List<InetSocketAddress> bootstrap,
                         boolean routerBootstrap) {
        return start(bind, port, storage, bootstrap, routerBootstrap, StoreLimits.DEFAULT, TRIM_SECONDS);
    }

    /**
     * As {@link #start(InetAddress, int, Path, List, boolean)}, storing for others at most what
     * {@code limits} allow, trimmed every {@code trimSeconds} (see {@link GuardedDht}).
     */
    static DhtNode start(InetAddress bind, int port, Path storage, List<InetSocketAddress> bootstrap,
                         boolean routerBootstrap, StoreLimits limits, long trimSeconds) {
        requireNonNull(storage, "storage");
        MldhtLog.install();
        DHT.DHTtype type = bind instanceof Inet6Address ? DHT.DHTtype.IPV6_DHT : DHT.DHTtype.IPV4_DHT;
        // mldht stamps what it stores with the system's clock; the quotas' windows follow it
        GuardedDht dht = new GuardedDht(type, limits, trimSeconds, Clock.systemUTC());
        DHTConfiguration config = new DhtSettings(bind, port, storage, routerBootstrap);
        ContactAsks asks = ContactAsks.recordedBy(dht);
        try {
            dht.start(config);
        } catch (SocketException e) {
            throw new UncheckedIOException("DHT on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        DhtNode node = new DhtNode(dht, asks, bootstrap, bind == null ? new InetSocketAddress(port)
                : new InetSocketAddress(bind, port));
        DhtSocket.await(dht, node.socket, node::close);
        node.join.start();
        return node;
    }

    /** Completes when the node has joined the DHT (see {@link DhtJoin}). */
    CompletableFuture<Void> joined() {
        return join.joined();
    }

    /** Adds bootstrap nodes (the ones a directory names) and pings those that are new. */
    void addBootstrap(List<InetSocketAddress> nodes) {
        join.addBootstrap(nodes);
    }

    /** Whether answers to this node's lookups came late lately ({@link AnswerDelays}): then they wait for any node. */
    boolean answersCameLate() {
        return delays.lately();
    }

    /** The number of nodes in this node's routing table. */
    int knownNodes() {
        return dht.getNode().getNumEntriesInRoutingTable();
    }

    /** The number of nodes a lookup of this node may start from ({@link StartingNodes#count}). */
    int lookupNodes() {
        return StartingNodes.count(dht);
    }

    /** The BEP 44 items this node stores (for others, and its own pointers others put on it). */
    int storedItems() {
        return dht.storedItems();
    }

    /** The BEP 5 peer entries this node counts as stored for others (see {@link PeerQuota}). */
    int storedPeers() {
        return dht.storedPeers();
    }

    /**
     * Stores {@code item} (a signed mutable item) on the nodes closest to its target, after a
     * lookup that heard from the {@value NearestLookup#K} closest it could reach (so the item lands
     * where the next lookup looks); completes with the number of nodes seen to hold it afterwards
     * ({@link NearestStore}; 0: none did, for example all held a newer one) and the number that could have (those that gave a token),
     * and the seq of a newer version of the item the lookup found on them, if any (BEP 44 nodes
     * refuse a lower seq than they hold: see {@link Stored#newerSeq}).
     */
    CompletableFuture<Stored> put(StorageItem item) {
        requireNonNull(item, "item");
        dht.own(item.fingerprint());
        CompletableFuture<Stored> done = new CompletableFuture<>();
        RPCServer srv = server(done);
        if (srv == null) {
            return done;
        }
        byte[] salt = item.salt().map(DhtNode::bytes).orElse(null);
        long start = System.nanoTime();
        NearestLookup.get(dht, srv, item.fingerprint(), salt, delays).whenComplete((found, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            long looked = System.nanoTime();
            NearestStore.put(dht, srv, found, item).thenAccept(n -> {
                log.debug("DHT put {}: lookup {} ms ({} of {} answered), stored on {} in {} ms", item.fingerprint(),
                        (looked - start) / 1_000_000, found.answered(), found.asked(), n,
                        (System.nanoTime() - looked) / 1_000_000);
                done.complete(new Stored(n, closest(found), newer(found, item)));
            });
        });
        return done;
    }

    /** The seq of the newer version of {@code item} that {@code found} holds, or -1. */
    private static long newer(LookupResult found, StorageItem item) {
        return found.item().map(StorageItem::seq).filter(seq -> seq > item.seq()).orElse(-1L);
    }

    private static int closest(LookupResult found) {
        return Math.min(NearestLookup.K, found.tokens().size());
    }

    /**
     * Looks up the mutable item of {@code publicKey} and {@code salt}; completes with the valid
     * one of the highest sequence number that the answering nodes hold (items whose signature
     * does not hold are dropped), or empty.
     */
    CompletableFuture<Optional<StorageItem>> get(byte[] publicKey, byte[] salt) {
        CompletableFuture<Optional<StorageItem>> done = new CompletableFuture<>();
        RPCServer srv = server(done);
        if (srv == null) {
            return done;
        }
        Key target = GenericStorage.fingerprint(publicKey, salt, null);
        NearestLookup.get(dht, srv, target, salt, delays).whenComplete((found, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                log.debug("DHT get {}: {} of {} asked answered, item {}", target, found.answered(), found.asked(),
                        found.item().map(i -> "seq " + i.seq()).orElse("none"));
                done.complete(found.item());
                found.item().ifPresent(item -> restore(srv, item, found.lacking(NearestLookup.K)));
            }
        });
        return done;
    }

    /**
     * Stores a signed item a get found on the closest nodes that answered without it (BEP 44
     * lets anyone store a signed item; the nodes check the signature): nodes that joined closer
     * to the target after the publisher's put, which the next reader's lookup asks first.
     */
    private void restore(RPCServer srv, StorageItem item, Map<KBucketEntry, byte[]> lacking) {
        if (!lacking.isEmpty() && item.mutable()) {
            NearestStore.put(dht, srv, lacking, item);
        }
    }

    /** Looks up the peers of {@code infoHash} (BEP 5 {@code get_peers}); completes with them and how many nodes answered. */
    CompletableFuture<PeersFound> peers(byte[] infoHash) {
        CompletableFuture<PeersFound> done = new CompletableFuture<>();
        RPCServer srv = server(done);
        if (srv == null) {
            return done;
        }
        NearestLookup.peers(dht, srv, new Key(infoHash), delays).whenComplete((found, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                done.complete(new PeersFound(found.peers(), found.answered()));
            }
        });
        return done;
    }

    /** Whether other nodes may list this node at {@code host} (its own announcements come back so, {@link OwnAddresses}). */
    boolean isOwnHost(InetAddress host) {
        return OwnAddresses.of(dht).stream().anyMatch(a -> a.getAddress().equals(host));
    }

    /**
     * Announces this node's BitTorrent {@code port} as a seed of {@code infoHash} to the nodes
     * closest to it (BEP 5 {@code announce_peer}), after a lookup like {@link #put}'s.
     */
    CompletableFuture<Stored> announce(byte[] infoHash, int port) {
        CompletableFuture<Stored> done = new CompletableFuture<>();
        RPCServer srv = server(done);
        if (srv == null) {
            return done;
        }
        long start = System.nanoTime();
        NearestLookup.peers(dht, srv, new Key(infoHash), delays).whenComplete((found, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            long looked = System.nanoTime();
            NearestStore.announce(dht, srv, found, new Key(infoHash), port).thenAccept(n -> {
                log.debug("DHT announce {}: lookup {} ms ({} of {} answered), stored on {} in {} ms", found.target(),
                        (looked - start) / 1_000_000, found.answered(), found.asked(), n,
                        (System.nanoTime() - looked) / 1_000_000);
                done.complete(new Stored(n, closest(found)));
            });
        });
        return done;
    }

    private RPCServer server(CompletableFuture<?> failIfNone) {
        RPCServer srv = dht.isRunning() ? dht.getServerManager().getRandomActiveServer(true) : null;
        if (srv == null) {
            failIfNone.completeExceptionally(new IOException("the DHT node has no socket (not started, or stopped)"));
        }
        return srv;
    }

    static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /**
     * Stops the node and never throws: mldht's stop can fail half way (a lookup's listeners change
     * while it kills them), so a second pass closes the sockets it did not reach. Returns once its
     * port can be bound again, or after {@value DhtSocket#RELEASE_MILLIS} ms ({@link DhtSocket#awaitReleased}).
     */
    @Override
    public void close() {
        try {
            dht.stop();
        } catch (RuntimeException first) {
            log.debug("mldht's stop failed half way; closing its sockets again", first);
            try {
                dht.getServerManager().destroy();
            } catch (RuntimeException second) {
                log.warn("the DHT node did not stop cleanly: {}", second.toString());
            }
        }
        DhtSocket.awaitReleased(socket);
    }
}

package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import lbms.plugins.mldht.DHTConfiguration;
import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.RPCServer;
import lbms.plugins.mldht.kad.tasks.AnnounceTask;
import lbms.plugins.mldht.kad.tasks.GetLookupTask;
import lbms.plugins.mldht.kad.tasks.PeerLookupTask;
import lbms.plugins.mldht.kad.tasks.PutTask;

/**
 * One node of the mainline DHT (BEP 5), run by the8472's mldht: what the overlay needs of it,
 * as futures: BEP 44 mutable items put and got (the pointers), and BEP 5 peers looked up and
 * announced (the swarms of the bundles). Bound to one address when given one (so a test can keep
 * it inside its namespace), seeded with the configured bootstrap nodes, and with the public
 * router bootstrap off unless asked for.
 *
 * <p>mldht runs its own selector and scheduler threads; the futures complete on them, so
 * callers must not block in their continuations. Thread-safe.
 */
final class DhtNode implements AutoCloseable {
    private final DHT dht;
    private final List<InetSocketAddress> bootstrap = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final Executor delayed;

    private DhtNode(DHT dht, List<InetSocketAddress> bootstrap) {
        this.dht = dht;
        this.bootstrap.addAll(bootstrap);
        this.delayed = CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS, dht.getScheduler());
    }

    /**
     * Starts a node on {@code bind} (null: mldht's own choice of a global address) and
     * {@code port}, keeping its routing table under {@code storage}, and pings the bootstrap
     * nodes as soon as its socket is up.
     */
    static DhtNode start(InetAddress bind, int port, Path storage, List<InetSocketAddress> bootstrap,
                         boolean routerBootstrap) {
        requireNonNull(storage, "storage");
        MldhtLog.install();
        DHT.DHTtype type = bind instanceof Inet6Address ? DHT.DHTtype.IPV6_DHT : DHT.DHTtype.IPV4_DHT;
        DHT dht = new DHT(type);
        DHTConfiguration config = new DhtSettings(bind, port, storage, routerBootstrap);
        try {
            dht.start(config);
        } catch (SocketException e) {
            throw new UncheckedIOException("DHT on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        DhtNode node = new DhtNode(dht, bootstrap);
        node.pingBootstrap(50);
        node.watchJoin(300);
        return node;
    }

    /**
     * Completes {@link #joined()} once the routing table holds nodes that answered: eight (or all
     * the bootstrap nodes but this one, when fewer), or at least one after three seconds; a
     * lookup made with a single node known may end before it reaches the nodes that hold the item.
     * Checked every 100 ms, for at most 30 s.
     */
    private void watchJoin(int checksLeft) {
        int known = knownNodes();
        int want = Math.max(1, Math.min(8, bootstrap.size() - 1));
        if (known >= want || (known > 0 && checksLeft <= 270)) {
            joined.complete(null);
        } else if (checksLeft > 0 && dht.isRunning()) {
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS, dht.getScheduler())
                    .execute(() -> watchJoin(checksLeft - 1));
        }
    }

    /** Completes when the node has joined the DHT (see {@link #watchJoin}). */
    CompletableFuture<Void> joined() {
        return joined.copy();
    }

    /** Adds bootstrap nodes (the ones a directory names) and pings those that are new. */
    void addBootstrap(List<InetSocketAddress> nodes) {
        boolean added = false;
        for (InetSocketAddress a : nodes) {
            if (!bootstrap.contains(a)) {
                bootstrap.add(a);
                added = true;
            }
        }
        if (added) {
            pingBootstrap(15);
        }
    }

    /**
     * Pings the bootstrap nodes once a socket is up (mldht opens it in the background), and again
     * every two seconds for a while as long as fewer of them answered than were given: mldht only
     * routes through nodes that answered it, and nodes started at the same time miss each other's
     * first pings.
     */
    private void pingBootstrap(int attemptsLeft) {
        if (!dht.isRunning() || attemptsLeft <= 0) {
            return;
        }
        RPCServer srv = dht.getServerManager().getRandomActiveServer(true);
        if (srv == null || srv.getState() != RPCServer.State.RUNNING) {
            delayed.execute(() -> pingBootstrap(attemptsLeft - 1));
            return;
        }
        InetSocketAddress self = new InetSocketAddress(srv.getBindAddress(), srv.getPort());
        long others = bootstrap.stream().filter(a -> !a.equals(self)).count();
        for (InetSocketAddress a : bootstrap) {
            if (!a.equals(self)) {
                srv.ping(a);
            }
        }
        if (knownNodes() < others) {
            CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS, dht.getScheduler())
                    .execute(() -> pingBootstrap(Math.min(attemptsLeft - 1, 15)));
        }
    }

    /** The number of nodes in this node's routing table. */
    int knownNodes() {
        return dht.getNode().getNumEntriesInRoutingTable();
    }

    /**
     * Stores {@code item} (a signed mutable item) on the nodes closest to its target; completes
     * with the number of nodes that took it (0: none did, for example all held a newer one).
     */
    CompletableFuture<Integer> put(StorageItem item) {
        requireNonNull(item, "item");
        CompletableFuture<Integer> done = new CompletableFuture<>();
        RPCServer srv = server(done);
        if (srv == null) {
            return done;
        }
        GetLookupTask tokens = new GetLookupTask(item.fingerprint(), srv, dht.getNode());
        tokens.expectedSalt(item.salt().map(DhtNode::bytes).orElse(null));
        tokens.addListener(t -> {
            PutTask put = new PutTask(srv, dht.getNode(), tokens.getTokens(), item);
            put.addListener(p -> done.complete(p.getRecvResponses()));
            dht.getTaskManager().addTask(put);
        });
        dht.getTaskManager().addTask(tokens);
        return done;
    }

    /**
     * Looks up the mutable item of {@code publicKey} and {@code salt}; completes with the valid
     * one of the highest sequence number that answering nodes hold (mldht drops items whose
     * signature does not hold), or empty.
     */
    CompletableFuture<Optional<StorageItem>> get(byte[] publicKey, byte[] salt) {
        CompletableFuture<Optional<StorageItem>> done = new CompletableFuture<>();
        RPCServer srv = server(done);
        if (srv == null) {
            return done;
        }
        Key target = GenericStorage.fingerprint(publicKey, salt, null);
        GetLookupTask get = new GetLookupTask(target, srv, dht.getNode());
        get.expectedSalt(salt);
        AtomicReference<StorageItem> best = new AtomicReference<>();
        get.setValueConsumer(item -> best.accumulateAndGet(item, (a, b) -> a == null || b.seq() > a.seq() ? b : a));
        get.addListener(t -> done.complete(Optional.ofNullable(best.get())));
        dht.getTaskManager().addTask(get);
        return done;
    }

    /** Looks up the peers of {@code infoHash} (BEP 5 {@code get_peers}). */
    CompletableFuture<Set<InetSocketAddress>> peers(byte[] infoHash) {
        CompletableFuture<Set<InetSocketAddress>> done = new CompletableFuture<>();
        lookup(infoHash, done, (lookup, found) -> done.complete(found));
        return done;
    }

    /**
     * Announces this node's BitTorrent {@code port} as a seed of {@code infoHash} to the nodes
     * closest to it (BEP 5 {@code announce_peer}); completes with the number that took it.
     */
    CompletableFuture<Integer> announce(byte[] infoHash, int port) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        lookup(infoHash, done, (lookup, found) -> {
            AnnounceTask a = dht.announce(lookup, true, port);
            if (a == null) {
                done.complete(0);
            } else {
                a.addListener(t -> done.complete(t.getRecvResponses()));
            }
        });
        return done;
    }

    private void lookup(byte[] infoHash, CompletableFuture<?> failIfNone,
                        BiConsumer<PeerLookupTask, Set<InetSocketAddress>> then) {
        RPCServer srv = server(failIfNone);
        if (srv == null) {
            return;
        }
        PeerLookupTask lookup = new PeerLookupTask(srv, dht.getNode(), new Key(infoHash));
        Set<InetSocketAddress> found = ConcurrentHashMap.newKeySet();
        lookup.setResultHandler((node, peer) -> found.add(peer.toSocketAddress()));
        lookup.addListener(t -> then.accept(lookup, Set.copyOf(found)));
        dht.getTaskManager().addTask(lookup);
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

    @Override
    public void close() {
        dht.stop();
    }
}

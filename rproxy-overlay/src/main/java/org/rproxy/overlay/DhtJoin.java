package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.RPCServer;

/**
 * How a {@link DhtNode} joins the DHT: pings its bootstrap nodes until they answer, and tells
 * when enough nodes did ({@link #joined()}, which every lookup waits for). Runs on mldht's
 * scheduler; thread-safe.
 */
final class DhtJoin {
    private final DHT dht;
    private final List<InetSocketAddress> bootstrap = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final Executor delayed;
    /** The nodes that contacted this one, and how often each was asked back ({@link ContactAsks}). */
    private final ContactAsks asks;

    DhtJoin(DHT dht, ContactAsks asks, List<InetSocketAddress> bootstrap) {
        this.dht = dht;
        this.asks = asks;
        this.bootstrap.addAll(bootstrap);
        this.delayed = CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS, dht.getScheduler());
    }

    /** Pings the bootstrap nodes as soon as the node's socket is up, and watches for the join. */
    void start() {
        pingBootstrap(50);
        watchJoin(300);
    }

    /**
     * Completes {@link #joined()} once the routing table holds nodes that answered: eight (or all
     * the bootstrap nodes but this one, when fewer), or at least one after three seconds; a
     * lookup made with a single node known may end before it reaches the nodes that hold the item.
     * Checked every 100 ms for 30 s; then, not joined yet (the bootstrap nodes down or out of
     * reach), every second for as long as it takes, the bootstrap nodes pinged again every 30 s:
     * every lookup waits for the join, and a node that gave up would keep every client's lookups
     * waiting out their whole budget for good. While no node answered it, each second the nodes
     * that contacted it are asked back ({@link #askContactsBack}), each a few times only.
     */
    private void watchJoin(int checksLeft) {
        if (joined.isDone() || !dht.isRunning()) {
            return;
        }
        int known = knownNodes();
        int want = Math.max(1, Math.min(8, bootstrap.size() - 1));
        if (known >= want || (known > 0 && checksLeft <= 270)) {
            joined.complete(null);
        } else if (checksLeft > 0) {
            if (checksLeft % 10 == 0) {
                askContactsBack();
            }
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS, dht.getScheduler())
                    .execute(() -> watchJoin(checksLeft - 1));
        } else {
            keepJoining(1);
        }
    }

    private void keepJoining(int seconds) {
        if (joined.isDone() || !dht.isRunning()) {
            return;
        }
        if (knownNodes() > 0) {
            joined.complete(null);
            return;
        }
        if (seconds % 30 == 0) {
            pingBootstrap(1);
        }
        askContactsBack();
        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, dht.getScheduler()).execute(() -> keepJoining(seconds + 1));
    }

    /** Completes when the node has joined the DHT (see {@link #watchJoin}). A copy: callers may cancel theirs. */
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
     * every two seconds for a while until the node has joined: mldht only routes through nodes
     * that answered it, and nodes started at the same time miss each other's first pings. Not
     * longer: every ping counts against this node's allowance at the other (DHT nodes throttle a
     * sender to about two requests a second), and once joined, mldht's own lookups fill the table.
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
        Set<InetSocketAddress> self = OwnAddresses.of(dht);
        long others = bootstrap.stream().filter(a -> !self.contains(a)).count();
        for (InetSocketAddress a : bootstrap) {
            if (!self.contains(a)) {
                srv.ping(a);
            }
        }
        if (!joined.isDone() && knownNodes() < others) {
            CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS, dht.getScheduler())
                    .execute(() -> pingBootstrap(Math.min(attemptsLeft - 1, 15)));
        }
    }

    /**
     * While no node has answered this one, pings the nodes that contacted it, at most
     * {@value ContactAsks#AT_ONCE} at once, those never asked first ({@link ContactAsks#due}):
     * mldht keeps a node that contacted it out of the routing table proper until it answers, and
     * does not ask it back on its own while the table is empty. So a bootstrap node whose own
     * bootstrap nodes are all down never joined, though peers joined through it; asked back, such a
     * peer answers and is a node of its routing table, and the node is joined. Each contact is asked
     * at most {@value ContactAsks#ASKS} times, with backoff: its source address may be forged, and
     * the node may stay unjoined for long.
     */
    private void askContactsBack() {
        if (knownNodes() > 0) {
            return;
        }
        RPCServer srv = dht.getServerManager().getRandomActiveServer(true);
        if (srv == null || srv.getState() != RPCServer.State.RUNNING) {
            return;
        }
        Set<InetSocketAddress> self = OwnAddresses.of(dht);
        for (InetSocketAddress a : asks.due()) {
            if (!self.contains(a)) {
                srv.ping(a);
            }
        }
    }

    private int knownNodes() {
        return dht.getNode().getNumEntriesInRoutingTable();
    }
}

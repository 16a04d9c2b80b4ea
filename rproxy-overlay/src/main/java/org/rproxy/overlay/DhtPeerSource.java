package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import bt.metainfo.TorrentId;
import bt.net.InetPeer;
import bt.net.Peer;
import bt.peer.PeerSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * bt's peer discovery through our own DHT node (BEP 5 {@code get_peers}), so that one DHT node
 * serves both the pointers and the swarms. bt polls {@link PeerSource#update()} on its own
 * schedule (every second here) for every torrent it runs; a poll starts a lookup when none is
 * running, and reports the peers of the last one finished, so bt's thread never waits on the
 * network.
 *
 * <p>Only torrents being fetched are looked up: a seeder waits to be found, and its lookups would
 * only spend the DHT's patience (nodes throttle a sender to about two requests a second). While
 * fetching, a few of the peers found are reported at a time, others every few polls, because bt
 * connects to a reported peer once and does not try a failed one again by itself; those named by
 * the most DHT nodes first, each once before any again ({@link PeerTally}). Once every peer found
 * has failed ({@link SeederWatch#exhausted}: a publisher that left, say, while a seeder's
 * announcement is still landing) the lookups come again at once and then backing off, a poll
 * apart at first and at most {@value #LOOK_EVERY} ({@link #gap}), until the fetch ends. Thread-safe.
 */
final class DhtPeerSource implements PeerSource {
    private static final Logger log = LoggerFactory.getLogger(DhtPeerSource.class);
    /** Polls between lookups once peers are known (while none are, every poll looks). */
    static final int LOOK_EVERY = 10;
    /** Polls between reports of unchanged peers. */
    private static final int REPORT_EVERY = 3;
    /** Peers reported at a time. */
    private static final int PER_REPORT = 3;

    private final DhtNode dht;
    private final byte[] infoHash;
    private final Predicate<TorrentId> fetching;
    private final TorrentId id;
    private final SeederWatches watches;
    /** This node's own BitTorrent listener, which its lookups find where it announced the torrent. */
    private final InetSocketAddress self;
    private final AtomicReference<CompletableFuture<PeersFound>> running = new AtomicReference<>();
    private final AtomicInteger polls = new AtomicInteger();
    /** The poll at which every peer found was seen failed (-1: not so), and that of the last lookup; guarded by this. */
    private int failedAt = -1;
    private int lookedAt;
    private volatile List<InetSocketAddress> found = List.of();
    private volatile List<InetSocketAddress> reported = List.of();
    /** Of the peers reported, those handed to bt since it was last handed them all. Guarded by this. */
    private final Set<InetSocketAddress> handed = new HashSet<>();

    /** A source of the peers of {@code id} other than {@code self}, while {@code fetching} holds for it, telling {@code watches} what each lookup found. */
    DhtPeerSource(DhtNode dht, TorrentId id, Predicate<TorrentId> fetching, SeederWatches watches, InetSocketAddress self) {
        this.dht = requireNonNull(dht, "dht");
        this.self = requireNonNull(self, "self");
        this.watches = requireNonNull(watches, "watches");
        this.id = requireNonNull(id, "id");
        this.fetching = requireNonNull(fetching, "fetching");
        this.infoHash = id.getBytes();
    }

    /**
     * Starts a lookup of the torrent's peers unless one is running: bt's first poll of a fetch
     * {@link PeerLookups#prime}d reports what it found at once.
     */
    void lookUp() {
        CompletableFuture<PeersFound> f = running.get();
        if (f == null || f.isDone()) {
            lookUp(f);
        }
    }

    /** Starts a lookup in place of {@code f} (null: none yet), unless another thread did meanwhile. */
    private void lookUp(CompletableFuture<PeersFound> f) {
        CompletableFuture<PeersFound> next = dht.peers(infoHash);
        if (running.compareAndSet(f, next)) {
            watches.looking(id);
            next.thenAccept(all -> {
                // not this node itself (an announcement of its own from before, or a restart's):
                // bt does not connect to it, and it has nothing for this fetch
                PeersFound peers = new PeersFound(all.peers().stream().filter(p -> !isSelf(p)).toList(), all.answered());
                log.debug("peers of {}: {} ({} DHT nodes answered)", id, peers.peers(), peers.answered());
                found = peers.peers();
                watches.looked(id, peers);
            });
        }
    }

    private boolean isSelf(InetSocketAddress peer) {
        return peer.getPort() == self.getPort()
                && (peer.getAddress().equals(self.getAddress()) || dht.isOwnHost(peer.getAddress()));
    }

    @Override
    public boolean update() {
        if (!fetching.test(id)) {
            return false;
        }
        int poll = polls.incrementAndGet();
        CompletableFuture<PeersFound> f = running.get();
        synchronized (this) {
            boolean due = f == null || found.isEmpty() || poll % LOOK_EVERY == 0 || failedDue(poll);
            if (due && (f == null || f.isDone())) {
                lookedAt = poll;
                lookUp(f);
            }
        }
        List<InetSocketAddress> now = found;
        boolean fresh = !now.equals(reported) || poll % REPORT_EVERY == 0;
        reported = now;
        return fresh && !now.isEmpty();
    }

    /** Whether a lookup is due at {@code poll} because every peer found has failed; under this. */
    private boolean failedDue(int poll) {
        if (!watches.exhausted(id)) {
            failedAt = -1;
            return false;
        }
        if (failedAt < 0) {
            failedAt = poll;
            return true;
        }
        return poll - lookedAt >= gap(lookedAt - failedAt);
    }

    /**
     * Polls from a lookup made {@code since} polls after every peer found had failed to the next:
     * one for the first few, then a third of the time since, at most {@value #LOOK_EVERY} (lookups
     * at 0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 17, ... polls), so a seeder announcing a moment late is
     * found soon and a fetch that goes on for its budget costs the DHT little.
     */
    static int gap(int since) {
        return Math.max(1, Math.min(LOOK_EVERY, since / 3));
    }

    @Override
    public Collection<Peer> getPeers() {
        // a few at a time, another few each report: one peer is enough for a bundle, and bt 1.10
        // ties up a pool thread spinning for its selector for every connection it opens at once.
        // Those named by the most DHT nodes first (PeerTally), each once before any again: one
        // node's made-up peers, however many, come after a seeder several nodes name
        List<InetSocketAddress> all = reported;
        List<InetSocketAddress> next;
        synchronized (this) {
            handed.retainAll(all);
            if (handed.size() == all.size()) {
                handed.clear();
            }
            next = all.stream().filter(a -> !handed.contains(a)).limit(PER_REPORT).toList();
            handed.addAll(next);
        }
        // bt removes the peers it took from the collection it is given
        List<Peer> out = new ArrayList<>();
        next.forEach(a -> out.add(InetPeer.build(a.getAddress(), a.getPort())));
        return out;
    }
}

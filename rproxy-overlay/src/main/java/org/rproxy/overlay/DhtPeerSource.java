package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import bt.metainfo.TorrentId;
import bt.net.InetPeer;
import bt.net.Peer;
import bt.peer.PeerSource;
import bt.peer.PeerSourceFactory;

/**
 * bt's peer discovery through our own DHT node (BEP 5 {@code get_peers}), so that one DHT node
 * serves both the pointers and the swarms. bt polls {@link PeerSource#update()} on its own
 * schedule; a poll starts a lookup when none is running (and none found peers lately) and
 * reports the peers of the last one finished, so bt's thread never waits on the network. Thread-safe.
 */
final class DhtPeerSource implements PeerSource {
    private final DhtNode dht;
    private final byte[] infoHash;
    private final AtomicReference<CompletableFuture<Set<InetSocketAddress>>> running = new AtomicReference<>();
    private volatile Set<InetSocketAddress> found = Set.of();
    private volatile Set<InetSocketAddress> reported = Set.of();
    private final java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();

    DhtPeerSource(DhtNode dht, byte[] infoHash) {
        this.dht = requireNonNull(dht, "dht");
        this.infoHash = infoHash.clone();
    }

    static PeerSourceFactory factory(DhtNode dht) {
        requireNonNull(dht, "dht");
        // bt asks for a source on every poll and keeps none: the lookups in flight live here
        Map<TorrentId, DhtPeerSource> sources = new ConcurrentHashMap<>();
        return new PeerSourceFactory() {
            @Override
            public PeerSource getPeerSource(TorrentId torrentId) {
                return sources.computeIfAbsent(torrentId, id -> new DhtPeerSource(dht, id.getBytes()));
            }
        };
    }

    @Override
    public boolean update() {
        CompletableFuture<Set<InetSocketAddress>> f = running.get();
        // DHT nodes throttle a sender (2 requests a second each): look again at once only while
        // nothing was found, else at every 15th poll
        boolean due = f == null || found.isEmpty() || polls.incrementAndGet() % 15 == 0;
        if (due && (f == null || f.isDone())) {
            CompletableFuture<Set<InetSocketAddress>> next = dht.peers(infoHash);
            if (running.compareAndSet(f, next)) {
                next.thenAccept(peers -> found = peers);
            }
        }
        Set<InetSocketAddress> now = found;
        boolean fresh = !now.equals(reported);
        reported = now;
        return fresh && !now.isEmpty();
    }

    @Override
    public Collection<Peer> getPeers() {
        // bt removes the peers it took from the collection it is given
        List<Peer> out = new ArrayList<>();
        reported.forEach(a -> out.add(InetPeer.build(a.getAddress(), a.getPort())));
        return out;
    }

    List<InetSocketAddress> lastFound() {
        return List.copyOf(found);
    }
}

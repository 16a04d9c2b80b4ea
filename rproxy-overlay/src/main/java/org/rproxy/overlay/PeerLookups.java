package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import bt.metainfo.TorrentId;
import bt.peer.PeerSource;
import bt.peer.PeerSourceFactory;

/**
 * bt's peer sources of one {@link Swarm}: a {@link DhtPeerSource} per torrent being fetched,
 * kept here since bt asks for a source on every poll and keeps none (the lookups in flight live
 * in them). A fetch {@link #prime}s its torrent's lookup when it is asked for, so that it runs
 * while the fetch waits for its turn ({@link FetchTurns}) and for bt's first poll, instead of
 * starting at that poll and being reported at the next (bt polls once a second). Thread-safe.
 */
final class PeerLookups implements PeerSourceFactory {
    private final DhtNode dht;
    private final Predicate<TorrentId> fetching;
    private final SeederWatches watches;
    private final InetSocketAddress self;
    private final Map<TorrentId, DhtPeerSource> sources = new ConcurrentHashMap<>();

    /**
     * Sources looking up the torrents for which {@code fetching} holds, telling {@code watches}
     * what each lookup found; {@code self} (this node's BitTorrent listener) is never a peer.
     */
    PeerLookups(DhtNode dht, Predicate<TorrentId> fetching, SeederWatches watches, InetSocketAddress self) {
        this.dht = requireNonNull(dht, "dht");
        this.self = requireNonNull(self, "self");
        this.fetching = requireNonNull(fetching, "fetching");
        this.watches = requireNonNull(watches, "watches");
    }

    @Override
    public PeerSource getPeerSource(TorrentId torrentId) {
        sources.keySet().removeIf(t -> !t.equals(torrentId) && !fetching.test(t));
        return source(torrentId);
    }

    /** Starts looking up the peers of {@code id}, a torrent being fetched, unless a lookup of it is running. */
    void prime(TorrentId id) {
        if (fetching.test(id)) {
            source(id).lookUp();
        }
    }

    private DhtPeerSource source(TorrentId id) {
        return sources.computeIfAbsent(id, t -> new DhtPeerSource(dht, t, fetching, watches, self));
    }
}

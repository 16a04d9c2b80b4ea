package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import bt.event.EventSource;
import bt.metainfo.TorrentId;
import bt.net.Peer;

/**
 * The {@link SeederWatch} of each torrent a {@link Swarm} is fetching, told what the DHT's peer
 * lookups found ({@link DhtPeerSource}), how bt's connections went ({@link WatchedConnections}),
 * and what bt reports of the fetch ({@link #listen}: peers connected, the metadata, peers' pieces);
 * news of a torrent not being fetched is dropped. Thread-safe.
 */
final class SeederWatches {
    private final Map<TorrentId, SeederWatch> watches = new ConcurrentHashMap<>();

    /**
     * Watches the seeders of {@code id} while {@code done} (its fetch) runs, and completes it
     * exceptionally ({@link NobodySeeds}, saying so) once nobody demonstrably seeds it.
     */
    void watch(TorrentId id, String hex, CompletableFuture<byte[]> done) {
        SeederWatch w = new SeederWatch();
        watches.put(id, w);
        done.whenComplete((b, e) -> watches.remove(id, w));
        w.nobody().thenAccept(why -> done.completeExceptionally(new NobodySeeds("torrent " + hex + ": " + why)));
    }

    /**
     * Tells the watch of {@code id} what bt reports of its run: each peer connected (either way),
     * the metadata's arrival, and a peer's bitfield with a piece or a piece verified. Call before
     * the torrent starts, and after bt let a previous run of it go (bt forgets a torrent's
     * listeners when it stops).
     */
    void listen(EventSource events, TorrentId id) {
        events.onPeerConnected(id, e -> connected(id, address(e.getPeer())))
                .onMetadataAvailable(id, e -> metadata(id))
                .onPeerBitfieldUpdated(id, e -> {
                    if (e.getBitfield().getPiecesComplete() > 0) {
                        served(id);
                    }
                })
                .onPieceVerified(id, e -> served(id));
    }

    void looking(TorrentId id) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.looking();
        }
    }

    void looked(TorrentId id, PeersFound found) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.looked(found);
        }
    }

    /** Whether every peer found for {@code id} has failed ({@link SeederWatch#exhausted}); false when it is not watched. */
    boolean exhausted(TorrentId id) {
        SeederWatch w = watches.get(id);
        return w != null && w.exhausted();
    }

    void connected(TorrentId id, InetSocketAddress peer) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.connected(peer);
        }
    }

    void metadata(TorrentId id) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.metadata();
        }
    }

    void served(TorrentId id) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.served();
        }
    }

    void refused(TorrentId id, InetSocketAddress peer) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.refused(peer);
        }
    }

    static InetSocketAddress address(Peer peer) {
        return new InetSocketAddress(peer.getInetAddress(), peer.getPort());
    }
}

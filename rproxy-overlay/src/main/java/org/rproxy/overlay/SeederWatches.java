package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

import bt.metainfo.TorrentId;

/**
 * The {@link SeederWatch} of each torrent a {@link Swarm} is fetching, told what the DHT's peer
 * lookups found ({@link DhtPeerSource}) and how bt's connections went ({@link WatchedConnections});
 * news of a torrent not being fetched is dropped. Thread-safe.
 */
final class SeederWatches {
    private final Map<TorrentId, SeederWatch> watches = new ConcurrentHashMap<>();

    /**
     * Watches the seeders of {@code id} while {@code done} (its fetch) runs, and completes it
     * exceptionally ({@link NobodySeeds}, saying so) once nobody demonstrably seeds it and
     * {@code connectedNow} counts no connection to a peer of it either.
     */
    void watch(TorrentId id, String hex, CompletableFuture<byte[]> done, IntSupplier connectedNow) {
        SeederWatch w = new SeederWatch();
        watches.put(id, w);
        done.whenComplete((b, e) -> watches.remove(id, w));
        w.nobody().thenAccept(why -> {
            if (connectedNow.getAsInt() == 0) {
                done.completeExceptionally(new NobodySeeds("torrent " + hex + ": " + why));
            }
        });
    }

    void looked(TorrentId id, PeersFound found) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.looked(found);
        }
    }

    void connected(TorrentId id) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.connected();
        }
    }

    void refused(TorrentId id, InetSocketAddress peer) {
        SeederWatch w = watches.get(id);
        if (w != null) {
            w.refused(peer);
        }
    }
}

package org.rproxy.overlay;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import bt.event.EventSource;
import bt.metainfo.TorrentId;
import bt.runtime.BtRuntime;
import bt.torrent.TorrentDescriptor;
import bt.torrent.TorrentRegistry;

/**
 * Stopping one torrent of a {@link Swarm} in bt 1.10, which stops it on its own threads. A
 * torrent's processing starts it (marks it active, serves it, tells its listeners) only once its
 * session is set up; a client stopped before that (a torrent dropped right after it was seeded)
 * stops nothing: the torrent is then served, and never reported stopped, until the runtime ends.
 */
final class TorrentStops {
    private TorrentStops() {
    }

    /**
     * Completes when bt reports the torrent {@code id} stopped, by when it has unregistered it
     * (bt's registry listens to every torrent, and is told before the listeners of one torrent);
     * at once when bt has let it go already.
     */
    static CompletableFuture<Void> stopped(BtRuntime runtime, TorrentId id) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        runtime.service(EventSource.class).onTorrentStopped(id, e -> stopped.complete(null));
        if (runtime.service(TorrentRegistry.class).getDescriptor(id).isEmpty()) {
            stopped.complete(null);
        }
        return stopped;
    }

    /**
     * Stops the torrent {@code id} when bt starts it, should it start after its client was
     * stopped, unless {@code reopened} (asked then) says it was opened again meanwhile. bt forgets
     * the listener when it reports the torrent stopped, so one that did stop leaves nothing.
     */
    static void stopWhenStarted(BtRuntime runtime, TorrentId id, BooleanSupplier reopened) {
        runtime.service(EventSource.class).onTorrentStarted(id, e -> {
            if (!reopened.getAsBoolean()) {
                runtime.service(TorrentRegistry.class).getDescriptor(id).ifPresent(TorrentDescriptor::stop);
            }
        });
    }
}

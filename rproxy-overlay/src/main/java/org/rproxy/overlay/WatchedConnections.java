package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import bt.metainfo.TorrentId;
import bt.net.ConnectionResult;
import bt.net.ConnectionSource;
import bt.net.IConnectionSource;
import bt.net.Peer;

/**
 * bt's source of outgoing connections, telling {@link SeederWatches} of each that failed: bt 1.10
 * says a connection was made ({@code onPeerConnected}, which the watches hear themselves) but not
 * that one failed, which is how a fetch learns that the peers the DHT names for a torrent do not
 * serve it. A failure bt makes
 * up without trying (its connection limit) is not told. Thread-safe, as bt's source is.
 */
final class WatchedConnections implements IConnectionSource {
    /** bt's own answer when a torrent or the runtime has as many connections as it allows. */
    private static final String LIMIT = "Connections limit exceeded";

    private final IConnectionSource bt;
    private final SeederWatches watches;
    /** The attempts being told of, by peer address and torrent. */
    private final Map<List<Object>, CompletableFuture<ConnectionResult>> inFlight = new ConcurrentHashMap<>();

    WatchedConnections(IConnectionSource bt, SeederWatches watches) {
        this.bt = requireNonNull(bt, "bt");
        this.watches = requireNonNull(watches, "watches");
    }

    /** bt's blocking variant (deprecated there, and not used by bt 1.10's torrent workers). */
    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public ConnectionResult getConnection(Peer peer, TorrentId torrentId) {
        return told(peer, torrentId, bt.getConnection(peer, torrentId));
    }

    /**
     * bt's connection, told once it has failed; bt hands out the same pending
     * connection to a peer asked for again meanwhile, which is one attempt, told once.
     */
    @Override
    public CompletableFuture<ConnectionResult> getConnectionAsync(Peer peer, TorrentId torrentId) {
        CompletableFuture<ConnectionResult> f = bt.getConnectionAsync(peer, torrentId);
        List<Object> key = List.of(SeederWatches.address(peer), torrentId);
        if (inFlight.put(key, f) == f) {
            return f;
        }
        f.whenComplete((r, e) -> {
            inFlight.remove(key, f);
            if (e != null) {
                watches.refused(torrentId, SeederWatches.address(peer));
            } else {
                told(peer, torrentId, r);
            }
        });
        return f;
    }

    /** Tells a failure (a connection made is told by bt's own event, {@link SeederWatches#listen}). */
    private ConnectionResult told(Peer peer, TorrentId torrentId, ConnectionResult r) {
        if (!r.isSuccess() && !LIMIT.equals(r.getMessage().orElse(""))) {
            watches.refused(torrentId, SeederWatches.address(peer));
        }
        return r;
    }


    /**
     * A bt runtime module that puts this source in front of bt's own: bt's is made at once, as
     * bt makes it (it starts the listener for incoming connections when the runtime starts).
     */
    static Module module(SeederWatches watches) {
        requireNonNull(watches, "watches");
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(ConnectionSource.class).asEagerSingleton();
            }

            @Provides
            @Singleton
            IConnectionSource connections(ConnectionSource bt) {
                return new WatchedConnections(bt, watches);
            }
        };
    }
}

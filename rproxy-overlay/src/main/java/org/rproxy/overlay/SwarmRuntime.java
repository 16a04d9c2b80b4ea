package org.rproxy.overlay;

import java.net.InetAddress;
import java.time.Duration;

import bt.module.ServiceModule;
import bt.net.pipeline.IBufferedPieceRegistry;
import bt.runtime.BtRuntime;
import bt.runtime.Config;

/**
 * The bt runtime of a {@link Swarm}, as the overlay needs it: the listener on the configured
 * address and port, peers found only through the node's {@link DhtNode} (for the torrents being
 * fetched), no local service discovery, no peer exchange and no Message Stream Encryption,
 * timeouts short enough for small bundles and for seeders that come and go, and the blocks it
 * receives filed in {@link ReceivedBlocks}, and what the peer lookups found and how the
 * connections to the peers went told to {@link SeederWatches}; its stop logs nothing
 * ({@link QuietAcceptor}). Stateless.
 */
final class SwarmRuntime {
    private SwarmRuntime() {
    }

    /**
     * A runtime listening on {@code bind} (null: every address) and {@code port}, finding the
     * peers of the torrents it fetches through {@code lookups}, filing the blocks it receives in
     * {@code blocks}, and telling {@code watches} of its connections.
     */
    static BtRuntime build(InetAddress bind, int port, PeerLookups lookups, ReceivedBlocks blocks, SeederWatches watches) {
        Config config = new Config();
        if (bind != null) {
            config.setAcceptorAddress(bind);
        }
        config.setAcceptorPort(port);
        config.setPeerDiscoveryInterval(Duration.ofSeconds(1));
        config.setPeerConnectionRetryInterval(Duration.ofSeconds(1));
        config.setNumOfHashingThreads(1);
        // bundles are small: small buffers per connection
        config.setNetworkBufferSize(64 * 1024);
        // no Message Stream Encryption: bundles are public and signed, so it hides nothing worth
        // hiding, and its Diffie-Hellman exchange costs CPU and a round trip per connection
        config.setMseDisabled(true);
        // a seeder that was not up yet (or restarted) is tried again soon, not after bt's 30 minutes
        config.setUnreachablePeerBanDuration(Duration.ofSeconds(10));
        config.setTimeoutedAssignmentPeerBanDuration(Duration.ofSeconds(5));
        // a publisher is the first seeder of every version: bt's default of 10 active connections
        // per torrent would queue a crowd of viewers behind one another
        config.setMaxConcurrentlyActivePeerConnectionsPerTorrent(64);
        // bt 1.10 runs the handshakes of incoming and outgoing connections on one pool (50 threads,
        // ConnectionSource and IncomingConnectionListener): a handshake that waits for a busy peer
        // holds a thread for the whole timeout (30 s by default), and peers that wait on each other
        // starve each other's pools; so fail such a handshake early and let it be tried again
        config.setPeerConnectionTimeout(Duration.ofSeconds(5));
        config.setMaxPendingConnectionRequests(16);
        config.setPeerHandshakeTimeout(Duration.ofSeconds(5));
        return BtRuntime.builder(config)
                .module(binder -> ServiceModule.extend(binder).addPeerSourceFactory(lookups))
                // how bt's connections to the peers found go, which bt tells nobody of
                .module(WatchedConnections.module(watches))
                .module(DirectSelector.module())
                // bt's acceptor logs an ERROR at every stop; this one ends quietly
                .module(QuietAcceptor.module())
                // bt's custom modules override its own bindings (this one bt's BufferedPieceRegistry)
                .module(binder -> binder.bind(IBufferedPieceRegistry.class).toInstance(blocks))
                .disableLocalServiceDiscovery()
                // no peer exchange (ut_pex): it has every seeder connect to every other seeder of
                // every torrent, connections that carry nothing and fill bt's connection pool; a
                // peer that fetches finds the seeders through the DHT
                .disablePeerExchange()
                .disableAutomaticShutdown()
                .build();
    }
}

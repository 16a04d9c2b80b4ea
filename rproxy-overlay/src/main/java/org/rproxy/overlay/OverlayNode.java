package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.rproxy.core.config.Address;

/**
 * One peer of the overlay: a mainline DHT node and a BitTorrent swarm on the same address, the
 * swarm finding its peers through the node, and the {@link Renewals} that keep what it stores
 * in the DHT alive. Publishers and client peers are each one of these. Thread-safe; its threads
 * are mldht's, bt's and the renewals' timer.
 */
final class OverlayNode implements AutoCloseable {
    private final OverlayConfig config;
    private final DhtNode dht;
    private final Swarm swarm;
    private final Renewals renewals;

    private OverlayNode(OverlayConfig config, DhtNode dht, Swarm swarm, RenewalTimes times) {
        this.config = config;
        this.dht = dht;
        this.swarm = swarm;
        this.renewals = new Renewals(config.republish(), dht::lookupNodes, times);
    }

    static OverlayNode start(OverlayConfig config) {
        return start(config, RenewalTimes.DEFAULT);
    }

    /** As {@link #start(OverlayConfig)}, its records kept by {@code times} (a test's short ones). */
    static OverlayNode start(OverlayConfig config, RenewalTimes times) {
        requireNonNull(times, "times");
        config = withFreePorts(requireNonNull(config, "config"));
        try {
            Files.createDirectories(config.storage().resolve("dht"));
            Files.createDirectories(config.storage().resolve("torrents"));
        } catch (IOException e) {
            throw new UncheckedIOException("storage: " + config.storage() + ": " + e.getMessage(), e);
        }
        config.probePorts();
        DhtNode dht = DhtNode.start(config.bindAddress(), config.dhtPort(), config.storage().resolve("dht"),
                addresses(config.bootstrap()), config.routerBootstrap(), config.dhtStore().limits(), DhtNode.TRIM_SECONDS);
        try {
            return new OverlayNode(config, dht, new Swarm(config.bindAddress(), config.btPort(),
                    config.storage().resolve("torrents"), dht), times);
        } catch (RuntimeException e) {
            dht.close();
            throw e;
        }
    }

    /**
     * {@code config} with a free port of this host in place of each port given as 0: a client
     * peer need not name ports, so two on one host, or one beside a BitTorrent client holding
     * 6881, start. The ports are found by binding and closing them, as {@link PortProbe} does;
     * another process may take one in between, which the probe then says.
     */
    static OverlayConfig withFreePorts(OverlayConfig config) {
        if (config.dhtPort() != 0 && config.btPort() != 0) {
            return config;
        }
        InetAddress bind = config.bindAddress();
        try {
            int dht = config.dhtPort();
            if (dht == 0) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(bind, 0))) {
                    dht = s.getLocalPort();
                }
            }
            int bt = config.btPort();
            if (bt == 0) {
                try (ServerSocket s = new ServerSocket(0, 1, bind)) {
                    bt = s.getLocalPort();
                }
            }
            return config.toBuilder().dhtPort(dht).btPort(bt).build();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + (bind == null ? "any address" : bind.getHostAddress())
                    + ": " + e.getMessage(), e);
        }
    }

    static List<InetSocketAddress> addresses(List<Address> nodes) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Address a : nodes) {
            out.add(new InetSocketAddress(a.host(), a.port()));
        }
        return out;
    }

    OverlayConfig config() {
        return config;
    }

    DhtNode dht() {
        return dht;
    }

    Swarm swarm() {
        return swarm;
    }

    Renewals renewals() {
        return renewals;
    }

    /**
     * Announces this node in the DHT as a seed of {@code infoHash}, a torrent its swarm holds
     * whole, and keeps announcing it (see {@link Renewals}) until the swarm drops it.
     *
     * @return how the first announcement went: how many of the closest DHT nodes took it
     */
    CompletableFuture<Stored> announce(byte[] infoHash) {
        return announce(infoHash, () -> false);
    }

    /**
     * As {@link #announce(byte[])}, its renewals skipped while {@code covered} holds: while a
     * publisher's current pointer names the torrent, each store of the pointer announces it
     * just before, and a renewal of its own would be a third DHT lookup for the same.
     */
    CompletableFuture<Stored> announce(byte[] infoHash, BooleanSupplier covered) {
        return renewals.keep("announcing " + HexFormat.of().formatHex(infoHash), () -> swarm.announce(infoHash),
                () -> swarm.holds(infoHash), covered, s -> { });
    }

    @Override
    public void close() {
        renewals.close();
        try {
            swarm.close();
        } finally {
            dht.close();
        }
    }
}

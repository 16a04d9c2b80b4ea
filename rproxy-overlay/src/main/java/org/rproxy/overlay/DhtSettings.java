package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.function.Predicate;

import lbms.plugins.mldht.DHTConfiguration;

/**
 * What mldht is told about one DHT node: its port and storage, no persisted node id, the public
 * router bootstrap only when asked for, and, given a bind address, only that address (mldht's
 * multihoming mode binds every global address it may, which the filter narrows to this one).
 * Immutable.
 *
 * @param bind            the address to bind, or null for mldht's own choice
 * @param port            the UDP port
 * @param storage         where mldht keeps its routing table
 * @param routerBootstrap whether to join through the public routers too
 */
record DhtSettings(InetAddress bind, int port, Path storage, boolean routerBootstrap) implements DHTConfiguration {
    DhtSettings {
        requireNonNull(storage, "storage");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
        }
    }

    @Override
    public boolean isPersistingID() {
        return false;
    }

    @Override
    public Path getStoragePath() {
        return storage;
    }

    @Override
    public int getListeningPort() {
        return port;
    }

    @Override
    public boolean noRouterBootstrap() {
        return !routerBootstrap;
    }

    @Override
    public boolean allowMultiHoming() {
        return bind != null;
    }

    @Override
    public Predicate<InetAddress> filterBindAddress() {
        return bind == null ? a -> true : bind::equals;
    }
}

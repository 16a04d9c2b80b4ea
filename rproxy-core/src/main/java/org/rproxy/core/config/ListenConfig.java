package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.atLeast;
import static org.rproxy.core.config.ConfigChecks.orDefault;

/**
 * Where a server listens.
 *
 * @param address {@code HOST:PORT}, default {@code 127.0.0.1:8282}
 * @param tls     certificate and key for HTTPS, or null for plain HTTP
 * @param maxConnections open client connections served at once, update streams included; one
 *                       more is answered 503 (default 10000)
 */
public record ListenConfig(Address address, TlsConfig tls, Integer maxConnections) {
    public static final Address DEFAULT_ADDRESS = new Address("127.0.0.1", 8282);
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    public ListenConfig {
        address = orDefault(address, DEFAULT_ADDRESS);
        maxConnections = atLeast(maxConnections, DEFAULT_MAX_CONNECTIONS, 1, "max-connections");
    }

    /** With the default connection limit. */
    public ListenConfig(Address address, TlsConfig tls) {
        this(address, tls, null);
    }
}

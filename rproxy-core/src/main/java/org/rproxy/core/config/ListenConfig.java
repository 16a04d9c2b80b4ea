package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;

/**
 * Where a server listens.
 *
 * @param address {@code HOST:PORT}, default {@code 127.0.0.1:8282}
 * @param tls     certificate and key for HTTPS, or null for plain HTTP
 */
public record ListenConfig(Address address, TlsConfig tls) {
    public static final Address DEFAULT_ADDRESS = new Address("127.0.0.1", 8282);

    public ListenConfig {
        address = orDefault(address, DEFAULT_ADDRESS);
    }
}

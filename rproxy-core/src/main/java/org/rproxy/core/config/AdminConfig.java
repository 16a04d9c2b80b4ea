package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.required;

/**
 * The admin listener ({@code /metrics}, {@code /healthz}, {@code /readyz}). Off unless
 * configured; a bare port binds loopback.
 *
 * @param address where it listens; a host name must resolve, and it may not be the proxy's
 *                {@code listen.address} (checked by {@link ProxyConfig})
 */
public record AdminConfig(Address address) {
    public AdminConfig {
        required(address, "address");
        try {
            address.resolvable();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address: " + e.getMessage(), e);
        }
    }
}

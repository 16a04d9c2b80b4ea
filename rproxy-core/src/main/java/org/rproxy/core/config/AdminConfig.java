package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.required;

/**
 * The admin listener ({@code /metrics}, {@code /healthz}, {@code /readyz}). Off unless
 * configured; a bare port binds loopback.
 *
 * @param address where it listens
 */
public record AdminConfig(Address address) {
    public AdminConfig {
        required(address, "address");
    }
}

package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;

/**
 * The store's bound.
 *
 * @param maxBytes bytes of representations held at most, bodies and headers (default 256MB)
 */
public record CacheConfig(ByteSize maxBytes) {
    public CacheConfig {
        maxBytes = orDefault(maxBytes, ByteSize.ofMegabytes(256));
    }
}

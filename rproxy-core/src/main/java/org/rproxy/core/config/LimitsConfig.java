package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;

import org.rproxy.core.query.QueryLimits;

/**
 * How much work one query may ask of this node ({@code limits:} in a proxy's file; the origin's
 * {@code --max-endpoint-pairs}). A query over a limit is refused before any work with an RFC
 * 7285 error naming the field and the limit.
 *
 * @param maxEndpointPairs sources × destinations of one endpoint cost request (default 250000)
 */
public record LimitsConfig(Long maxEndpointPairs) {
    public LimitsConfig {
        maxEndpointPairs = orDefault(maxEndpointPairs, QueryLimits.DEFAULTS.maxEndpointPairs());
        if (maxEndpointPairs < 1) {
            throw new IllegalArgumentException("max-endpoint-pairs: " + maxEndpointPairs + " (expected: >= 1)");
        }
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(null);
    }

    public QueryLimits queryLimits() {
        return new QueryLimits(maxEndpointPairs);
    }
}

package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.model.IpAddress;

/**
 * One destination of a ranking (the seed's {@code POST /cost/m?mode=ordinal}, RFC 7285's
 * ordinal endpoint cost): what a dialect writes as {@code <endpoint name=".." cost=".."/>}.
 *
 * @param endpoint the destination
 * @param cost     its cost from the source as the cost map holds it (numerical cost, or the
 *                 map's own rank when the map is ordinal)
 * @param rank     its dense rank among the destinations asked for, from 1 (lowest cost)
 */
public record RankedEndpoint(IpAddress endpoint, double cost, int rank) {
    public RankedEndpoint {
        requireNonNull(endpoint, "endpoint");
        if (rank < 1) {
            throw new IllegalArgumentException("rank: " + rank + " (expected: >= 1)");
        }
    }
}

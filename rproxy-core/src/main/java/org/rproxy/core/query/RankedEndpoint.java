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
 * @param index    its position in the destinations as asked for, from 0 (the first, for one asked
 *                 twice): the caller's own candidate is {@code candidates.get(index)}, in the form
 *                 the caller gave it
 */
public record RankedEndpoint(IpAddress endpoint, double cost, int rank, int index) {
    public RankedEndpoint {
        requireNonNull(endpoint, "endpoint");
        if (rank < 1) {
            throw new IllegalArgumentException("rank: " + rank + " (expected: >= 1)");
        }
        if (index < 0) {
            throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
        }
    }
}

package org.rproxy.client;

import static java.util.Objects.requireNonNull;

/**
 * One candidate of a ranking ({@link LocalAnswers#rank}): the candidate's address, its cost from
 * the source, its dense rank (1 for the cheapest; equal costs share a rank) and its index in the
 * list of candidates passed, so that {@code candidates.get(r.index())} is the candidate in the form
 * the application gave it.
 *
 * @param endpoint the candidate's address in RFC 7285 typed form ({@code ipv4:192.0.2.1},
 *                 {@code ipv6:2001:db8::1}), however it was passed
 * @param cost     its cost of the type ranked by (for an ordinal type, its rank)
 * @param rank     its dense rank among the candidates, from 1
 * @param index    its position in the candidates passed (the first, for one passed twice)
 */
public record RankedEndpoint(String endpoint, double cost, int rank, int index) {
    /**
     * The endpoint is required.
     *
     * @param endpoint the candidate's address in RFC 7285 typed form ({@code ipv4:192.0.2.1},
     *                 {@code ipv6:2001:db8::1}), however it was passed
     * @param cost     its cost of the type ranked by (for an ordinal type, its rank)
     * @param rank     its dense rank among the candidates, from 1
     * @param index    its position in the candidates passed (the first, for one passed twice)
     */
    public RankedEndpoint {
        requireNonNull(endpoint, "endpoint");
    }
}

package org.rproxy.core.query;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;

/**
 * How much work one query may ask of a node. The request body limit bounds what a client sends,
 * but not what it asks for: an endpoint cost request is a product, so 5,000 sources and 5,000
 * destinations (a 235 KB body) ask for 25 million pairs, an answer of hundreds of megabytes
 * built while every other client waits. A query over a limit is refused before any work, with
 * an RFC 7285 error naming the field and the limit, so the client can split it.
 *
 * <p>The same limits apply wherever queries are answered, at the origin and at proxies that
 * answer from the maps they hold, since both run the same query code.
 *
 * @param maxEndpointPairs sources × destinations of one endpoint cost request
 */
public record QueryLimits(long maxEndpointPairs) {

    /** A tracker ranking 5,000 peers for 50 sources at once fits; an answer stays near 10 MB. */
    public static final QueryLimits DEFAULTS = new QueryLimits(250_000);

    /**
     * The most constraints one filtered cost map or endpoint cost request may carry, whatever the
     * node's limits. RFC 7285 clients send a handful (a bound or two, an {@code eq}); a body of
     * 80,000 ({@code "ge -1"}, {@code "ge -2"}...) is under the 1 MiB body limit and was applied
     * to every cost of the answer. Checked as the request is read, before any is parsed.
     */
    public static final int MAX_CONSTRAINTS = 64;

    public QueryLimits {
        if (maxEndpointPairs < 1) {
            throw new IllegalArgumentException("maxEndpointPairs: " + maxEndpointPairs + " (expected: >= 1)");
        }
    }

    /**
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} on {@code endpoints} when the request
     *                       asks for more pairs than {@link #maxEndpointPairs()}
     */
    public void check(EndpointCostQuery q) {
        long pairs = (long) q.srcs().size() * q.dsts().size();
        if (pairs > maxEndpointPairs) {
            throw new AltoException(AltoError.invalidValue("endpoints",
                    q.srcs().size() + " srcs x " + q.dsts().size() + " dsts",
                    pairs + " source-destination pairs; this server answers at most " + maxEndpointPairs
                            + " per request (split the request)"));
        }
    }

    /**
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} on {@code field} when a request carries
     *                       more than {@link #MAX_CONSTRAINTS} constraints
     */
    static void checkConstraints(int count, String field) {
        if (count > MAX_CONSTRAINTS) {
            throw new AltoException(AltoError.invalidValue(field, count + " constraints",
                    count + " constraints (expected: at most " + MAX_CONSTRAINTS + " per request)"));
        }
    }
}

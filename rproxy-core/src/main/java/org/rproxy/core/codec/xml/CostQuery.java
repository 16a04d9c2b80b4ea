package org.rproxy.core.codec.xml;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.List;

import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.IpAddress;

/**
 * The body of the seed's ranking request ({@code POST /cost/m?mode=ordinal}), whose form the seed
 * leaves open ("contains src &amp; dest addresses"); ours is
 * {@code <costquery type><srcendp name/><dstendp name/>...</costquery>}. The mode comes from the
 * request URI, not from the body.
 *
 * @param metric       the cost metric to rank by, {@code routingcost} unless the body says otherwise
 * @param source       the endpoint asking
 * @param destinations the candidate endpoints, at least one, duplicates removed (first kept)
 */
public record CostQuery(String metric, IpAddress source, List<IpAddress> destinations) {

    /** The metric when the body names none. */
    public static final String DEFAULT_METRIC = "routingcost";

    public CostQuery {
        Identifiers.costMetric(metric, "costquery.type");
        requireNonNull(source, "source");
        destinations = List.copyOf(new LinkedHashSet<>(requireNonNull(destinations, "destinations")));
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("destinations: empty (expected: at least one)");
        }
    }
}

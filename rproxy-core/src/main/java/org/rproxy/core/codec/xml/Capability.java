package org.rproxy.core.codec.xml;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.Jwk;

/**
 * The seed's server capability document ({@code GET /capability}, draft-penno-alto-protocol-03),
 * which plays the part RFC 7285 gives the directory, plus this project's redistribution
 * extension: the origin's public keys and the known RProxy URLs.
 *
 * @param instanceName      {@code instance-name}, e.g. {@code alto.isp.net}
 * @param serverUri         {@code alto-server uri}: where the ALTO server is
 * @param costs             the cost types offered, in document order
 * @param constraintSupport whether cost constraints are supported
 * @param keys              the origin's public keys (empty when the document has none)
 * @param proxies           URLs of known RProxies (empty when none)
 */
public record Capability(String instanceName, String serverUri, List<Cost> costs, boolean constraintSupport,
                         List<Jwk> keys, List<String> proxies) {

    /** Units written for a metric when nothing better is known: RFC 7285 costs are unitless. */
    public static final String DEFAULT_UNITS = "scalar";

    public Capability {
        requireNonNull(instanceName, "instanceName");
        requireNonNull(serverUri, "serverUri");
        if (instanceName.isEmpty()) {
            throw new IllegalArgumentException("instanceName: empty (expected: a name)");
        }
        costs = List.copyOf(requireNonNull(costs, "costs"));
        keys = List.copyOf(requireNonNull(keys, "keys"));
        proxies = List.copyOf(requireNonNull(proxies, "proxies"));
    }

    /**
     * The capability document of a directory: one {@code <cost>} per distinct metric and mode of
     * its cost types (sorted by metric, then mode), constraint support when any resource offers
     * cost constraints, and the directory's keys and proxies.
     */
    public static Capability of(Directory directory, String instanceName, String serverUri) {
        requireNonNull(directory, "directory");
        List<Cost> costs = directory.costTypes().values().stream()
                .map(t -> new Cost(t.metric(), DEFAULT_UNITS, t.mode()))
                .distinct()
                .sorted(Comparator.comparing(Cost::metric).thenComparingInt(c -> c.mode().ordinal()))
                .toList();
        boolean constraints = directory.resources().values().stream()
                .map(InformationResource::costConstraints)
                .anyMatch(Boolean.TRUE::equals);
        return new Capability(instanceName, serverUri, costs, constraints, directory.keys(), directory.proxies());
    }

    /**
     * One {@code <cost type units mode/>}.
     *
     * @param metric the cost metric ({@code type} in the seed), e.g. {@code routingcost}
     * @param units  e.g. {@code ms} or {@code scalar}; null when the document gives none
     * @param mode   numerical or ordinal; null when the document gives none (the seed does not)
     */
    public record Cost(String metric, String units, CostMode mode) {
        public Cost {
            Identifiers.costMetric(metric, "cost.type");
        }

        /** The model cost type, when the mode is known. */
        public CostType toCostType() {
            return new CostType(metric, Objects.requireNonNull(mode, "mode"));
        }
    }
}

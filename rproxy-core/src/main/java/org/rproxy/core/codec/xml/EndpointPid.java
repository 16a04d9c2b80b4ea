package org.rproxy.core.codec.xml;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.IpAddress;

/**
 * One line of the answer to the seed's "Endpoint PID Query" (lookup PIDs for a set of
 * endpoints), whose form the seed leaves open; ours is {@code <endpoint name pid/>}.
 *
 * @param endpoint the endpoint asked about
 * @param pid      its PID by longest-prefix match, or null when the network map does not cover the
 *                 endpoint's address family (then the {@code pid} attribute is left out)
 */
public record EndpointPid(IpAddress endpoint, String pid) {
    public EndpointPid {
        requireNonNull(endpoint, "endpoint");
        if (pid != null) {
            Identifiers.pid(pid, "pid");
        }
    }
}

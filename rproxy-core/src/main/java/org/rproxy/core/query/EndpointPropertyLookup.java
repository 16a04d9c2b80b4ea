package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.core.model.VersionTag;

/**
 * Answers endpoint property queries (RFC 7285 §11.4.1): the property {@code <map-id>.pid}
 * (§10.8.1) by longest-prefix match in that network map, and the static properties the origin
 * publishes.
 *
 * <p>Built once per version of its inputs (the prefix indexes are built here), then immutable
 * and safe for any number of threads. A property that neither source defines is an
 * {@code E_INVALID_FIELD_VALUE} on {@code properties}; a property that is defined but has no
 * value for an endpoint is left out for that endpoint only (§11.4.1.6). Every endpoint asked
 * has its member, an empty object when none of its properties has a value: §11.4.1.6 gives the
 * answer "one member for each endpoint indicated in the input parameters", and a client reads
 * each endpoint it asked for by its key.
 *
 * <p>An IPv4-mapped endpoint ({@code ipv6:::ffff:a.b.c.d}, as a dual-stack socket reports an IPv4
 * peer) is the IPv4 node {@code a.b.c.d} (RFC 4291 §2.5.5.2): its PID is that address's
 * ({@link PrefixIndex#pidOf}), and so are its static properties, a value given for the mapped
 * form itself winning property by property. It is answered under the key it was asked by.
 */
public final class EndpointPropertyLookup {
    private static final String PID_SUFFIX = ".pid";

    private final Map<String, PidSource> pidProperties = new TreeMap<>();
    private final EndpointProperties statics;
    private final Set<String> staticNames = new TreeSet<>();

    private record PidSource(VersionTag vtag, PrefixIndex index) {
    }

    /**
     * @param maps    the network maps whose {@code <id>.pid} property is served
     * @param statics the origin's static properties, or null when it publishes none
     */
    public EndpointPropertyLookup(Collection<NetworkMap> maps, EndpointProperties statics) {
        requireNonNull(maps, "maps").forEach(m -> {
            String name = m.vtag().resourceId() + PID_SUFFIX;
            if (pidProperties.put(name, new PidSource(m.vtag(), m.index())) != null) {
                throw new IllegalArgumentException("maps: " + m.vtag().resourceId() + " appears twice");
            }
        });
        this.statics = statics;
        if (statics != null) {
            statics.properties().values().forEach(p -> staticNames.addAll(p.keySet()));
        }
    }

    /** Every property this lookup serves: the IRD's {@code prop-types} (§11.4.1.4). */
    public Set<String> propertyNames() {
        Set<String> all = new TreeSet<>(pidProperties.keySet());
        all.addAll(staticNames);
        return all;
    }

    public EndpointPropertyAnswer lookup(EndpointPropertyQuery query) {
        requireNonNull(query, "query");
        List<VersionTag> deps = new ArrayList<>();
        boolean usesStatics = false;
        for (String name : query.properties()) {
            PidSource pid = pidProperties.get(name);
            if (pid != null) {
                deps.add(pid.vtag());
            } else if (staticNames.contains(name)) {
                usesStatics = true;
            } else {
                throw new AltoException(AltoError.invalidValue("properties", name, "unknown property " + name));
            }
        }
        if (usesStatics) {
            deps.add(statics.vtag());
        }
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (IpAddress endpoint : query.endpoints()) {
            out.put(endpoint.toTyped(), valuesOf(endpoint, query.properties()));
        }
        return new EndpointPropertyAnswer(deps, out);
    }

    private Map<String, String> valuesOf(IpAddress endpoint, List<String> names) {
        Map<String, String> own = staticsOf(endpoint);
        IpAddress v4 = endpoint.mappedIpv4();
        Map<String, String> ofV4 = v4 == null ? null : staticsOf(v4);
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : names) {
            PidSource pid = pidProperties.get(name);
            Optional<String> v = pid != null ? pid.index().pidOf(endpoint)
                    : Optional.ofNullable(staticValue(own, name)).or(() -> Optional.ofNullable(staticValue(ofV4, name)));
            v.ifPresent(value -> values.put(name, value));
        }
        return values;
    }

    private Map<String, String> staticsOf(IpAddress endpoint) {
        return statics == null ? null : statics.properties().get(endpoint.toTyped());
    }

    private static String staticValue(Map<String, String> props, String name) {
        return props == null ? null : props.get(name);
    }
}

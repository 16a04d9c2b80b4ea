package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Static endpoint properties published by the origin (RFC 7285 §11.4.1): for each endpoint
 * (typed address), property name to string value. The {@code <network-map>.pid} property is not
 * stored here: it is derived from the network map by longest-prefix match, and no name here can
 * be taken for it, since a global property name (RFC 7285 §10.8.2) has no {@code .}.
 *
 * @param vtag       resource id and version tag of this property set
 * @param properties typed endpoint address ({@code ipv4:...}) to (property name to value)
 */
public record EndpointProperties(VersionTag vtag, Map<String, Map<String, String>> properties) {
    public EndpointProperties {
        requireNonNull(vtag, "vtag");
        requireNonNull(properties, "properties");
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> e : new TreeMap<>(properties).entrySet()) {
            String endpoint = e.getKey();
            Map<String, String> props = e.getValue();
            String field = "endpoint-properties/" + endpoint;
            String canonical = IpAddress.parseTyped(endpoint, field).toTyped();
            Map<String, String> p = new TreeMap<>(requireNonNull(props, endpoint));
            p.forEach((name, value) -> {
                Identifiers.endpointProperty(name, field);
                requireNonNull(value, field + "/" + name);
            });
            copy.put(canonical, Collections.unmodifiableMap(new LinkedHashMap<>(p)));
        }
        properties = Collections.unmodifiableMap(copy);
    }
}

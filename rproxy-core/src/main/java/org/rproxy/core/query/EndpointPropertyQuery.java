package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.JsonFields;
import org.rproxy.core.model.IpAddress;

/**
 * An endpoint property request (RFC 7285 §11.4.1.3, {@code application/alto-endpointpropparams+json}):
 * {@code {"properties":["my-default-network-map.pid"],"endpoints":["ipv4:192.0.2.34"]}}.
 * Both lists must hold at least one entry ({@code <1..*>} in §11.4.1.3).
 *
 * @param properties property names (§10.8), sorted, no repeats, not empty
 * @param endpoints  endpoints, sorted, no repeats, not empty
 */
public record EndpointPropertyQuery(List<String> properties, List<IpAddress> endpoints) {
    /** §10.8: a property name is at most 32 characters; with a resource id prefix, 64 + 1 + 32. */
    private static final int MAX_PROPERTY = 97;

    public EndpointPropertyQuery {
        properties = RequestLists.sortedSet(requireNonNull(properties, "properties"), "properties");
        endpoints = RequestLists.sortedSet(requireNonNull(endpoints, "endpoints"), "endpoints");
        if (properties.isEmpty() || endpoints.isEmpty()) {
            throw new IllegalArgumentException("properties and endpoints must not be empty");
        }
    }

    public static EndpointPropertyQuery fromJson(JsonNode body) {
        ObjectNode o = JsonFields.asObject(requireNonNull(body, "body"), "");
        ArrayNode props = JsonFields.array(o, "", "properties");
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0; i < props.size(); i++) {
            String name = JsonFields.requestElement(props, i, "properties");
            if (name.isEmpty() || name.length() > MAX_PROPERTY) {
                throw JsonFields.invalid("properties", name, "not a property name");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw JsonFields.invalid("properties", "[]", "at least one property is required");
        }
        List<IpAddress> endpoints = RequestLists.endpoints(JsonFields.array(o, "", "endpoints"), "endpoints");
        if (endpoints.isEmpty()) {
            throw JsonFields.invalid("endpoints", "[]", "at least one endpoint is required");
        }
        return new EndpointPropertyQuery(List.copyOf(names), endpoints);
    }

    /** The canonical request: both lists sorted, endpoints in canonical typed form. */
    public ObjectNode toCanonicalJson() {
        ObjectNode o = RequestLists.NODES.objectNode();
        o.set("endpoints", RequestLists.typed(endpoints));
        o.set("properties", RequestLists.strings(properties));
        return o;
    }
}

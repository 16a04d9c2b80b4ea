package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.JsonFields;
import org.rproxy.core.codec.json.RequestJson;
import org.rproxy.core.codec.json.RequestMember;
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
    /** The members a request is read for. */
    private static final RequestJson.Shape MEMBERS = RequestJson.shape("properties", "endpoints");

    public EndpointPropertyQuery {
        properties = RequestLists.sortedSet(requireNonNull(properties, "properties"), "properties");
        endpoints = RequestLists.sortedSet(requireNonNull(endpoints, "endpoints"), "endpoints");
        if (properties.isEmpty() || endpoints.isEmpty()) {
            throw new IllegalArgumentException("properties and endpoints must not be empty");
        }
    }

    /** Reads a request body with a streaming parser ({@link RequestJson}). */
    public static EndpointPropertyQuery fromJson(byte[] body) {
        RequestMember o = RequestJson.read(body, MEMBERS).asObject("");
        RequestMember props = o.array("", "properties");
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0; i < props.size(); i++) {
            String name = props.requestElement(i, "properties");
            if (name.isEmpty() || name.length() > MAX_PROPERTY) {
                throw JsonFields.invalid("properties", name, "not a property name");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw JsonFields.invalid("properties", "[]", "at least one property is required");
        }
        List<IpAddress> endpoints = RequestLists.endpoints(o.array("", "endpoints"), "endpoints");
        if (endpoints.isEmpty()) {
            throw JsonFields.invalid("endpoints", "[]", "at least one endpoint is required");
        }
        return new EndpointPropertyQuery(List.copyOf(names), endpoints);
    }

    /**
     * Reads a request already parsed into a tree (a push proxy normalizing a stream's query
     * inputs; tests): its JSON text, as {@link #fromJson(byte[])} reads it.
     */
    public static EndpointPropertyQuery fromJson(JsonNode body) {
        return fromJson(RequestJson.text(requireNonNull(body, "body")));
    }

    /** The canonical request: both lists sorted, endpoints in canonical typed form. */
    public ObjectNode toCanonicalJson() {
        ObjectNode o = RequestLists.NODES.objectNode();
        o.set("endpoints", RequestLists.typed(endpoints));
        o.set("properties", RequestLists.strings(properties));
        return o;
    }
}

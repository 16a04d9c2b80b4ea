package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.VersionTag;

/**
 * The answer to an {@link EndpointPropertyQuery} (RFC 7285 §11.4.1.6).
 *
 * @param dependentVtags the network maps and property sets the answer was computed from
 * @param properties     canonical typed endpoint to (property name to value), in request order
 */
public record EndpointPropertyAnswer(List<VersionTag> dependentVtags, Map<String, Map<String, String>> properties) {

    public EndpointPropertyAnswer {
        dependentVtags = List.copyOf(requireNonNull(dependentVtags, "dependentVtags"));
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        requireNonNull(properties, "properties").forEach((endpoint, props) ->
                copy.put(endpoint, Collections.unmodifiableMap(new LinkedHashMap<>(props))));
        properties = Collections.unmodifiableMap(copy);
    }

    /** The {@code application/alto-endpointprop+json} body. */
    public ObjectNode toJson() {
        return AltoJson.writeEndpointProperties(dependentVtags, properties);
    }

    /** The same body as RFC 8785 bytes, written without a JSON tree (what the front end sends). */
    public byte[] toCanonicalJson() {
        return AltoJson.canonicalEndpointProperties(dependentVtags, properties);
    }
}

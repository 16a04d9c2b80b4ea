package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.path;
import static org.rproxy.core.codec.json.JsonValues.NODES;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.CanonicalJsonWriter;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.VersionTag;

/**
 * Reads and writes endpoint properties in the shape of RFC 7285 §11.4.1.6:
 * {@code {"meta":{..},"endpoint-properties":{"ipv4:192.0.2.34":{"priv:ietf-example-prop":"1"}}}}.
 *
 * <p>Two forms share the body: the origin's file of static properties, whose {@code meta}
 * carries its own {@code vtag}; and the answer to a query, whose {@code meta} carries the
 * {@code dependent-vtags} of the maps it was computed from. Endpoints are keyed by their
 * canonical typed address (RFC 5952 for IPv6), so two spellings of one address in a file are an
 * error rather than a silent overwrite. Stateless; any thread.
 */
final class EndpointPropertiesJson {

    private EndpointPropertiesJson() {
    }

    static EndpointProperties read(JsonNode doc, VersionTag fallback) {
        ObjectNode root = JsonFields.asObject(doc, "");
        VersionTag vtag = DocumentMeta.vtag(root, fallback);
        return new EndpointProperties(vtag, readBody(JsonFields.object(root, "", "endpoint-properties")));
    }

    private static Map<String, Map<String, String>> readBody(ObjectNode body) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> spelling = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            String endpoint = e.getKey();
            String endpointPath = path("endpoint-properties", endpoint);
            String canonical = IpAddress.parseTyped(endpoint, endpointPath).toTyped();
            String previous = spelling.putIfAbsent(canonical, endpoint);
            if (previous != null) {
                throw JsonFields.invalid(endpointPath, endpoint, "same endpoint as " + previous);
            }
            out.put(canonical, readProps(JsonFields.asObject(e.getValue(), endpointPath), endpointPath));
        }
        return out;
    }

    private static Map<String, String> readProps(ObjectNode props, String endpointPath) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> p : props.properties()) {
            JsonNode v = p.getValue();
            if (!v.isTextual()) {
                throw JsonFields.wrongType(path(endpointPath, p.getKey()), "a string");
            }
            out.put(p.getKey(), v.textValue());
        }
        return out;
    }

    static ObjectNode write(EndpointProperties props) {
        ObjectNode root = NODES.objectNode();
        root.putObject("meta").set("vtag", JsonValues.writeVtag(props.vtag()));
        root.set("endpoint-properties", writeBody(props.properties()));
        return root;
    }

    static ObjectNode writeAnswer(List<VersionTag> dependentVtags, Map<String, Map<String, String>> props) {
        ObjectNode root = NODES.objectNode();
        DocumentMeta.withDependentVtags(root.putObject("meta"), dependentVtags);
        root.set("endpoint-properties", writeBody(props));
        return root;
    }

    /**
     * {@link #writeAnswer} as RFC 8785 bytes, written without the tree: what {@code
     * Jcs.canonicalize} of it gives (endpoints and property names sorted here, since they come in
     * request order).
     */
    static byte[] canonicalAnswer(List<VersionTag> dependentVtags, Map<String, Map<String, String>> props) {
        CanonicalJsonWriter w = new CanonicalJsonWriter(128 + 64 * props.size());
        w.beginObject().name("endpoint-properties").beginObject();
        new TreeMap<>(props).forEach((endpoint, values) -> {
            w.name(endpoint).beginObject();
            new TreeMap<>(values).forEach((name, value) -> w.name(name).value(value));
            w.endObject();
        });
        w.endObject().name("meta").beginObject().name("dependent-vtags").beginArray();
        dependentVtags.forEach(v -> w.beginObject().name("resource-id").value(v.resourceId())
                .name("tag").value(v.tag()).endObject());
        return w.endArray().endObject().endObject().toUtf8();
    }

    private static ObjectNode writeBody(Map<String, Map<String, String>> props) {
        ObjectNode body = NODES.objectNode();
        props.forEach((endpoint, values) -> {
            ObjectNode o = body.putObject(endpoint);
            values.forEach(o::put);
        });
        return body;
    }
}

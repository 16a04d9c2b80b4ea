package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.index;
import static org.rproxy.core.codec.json.JsonFields.path;
import static org.rproxy.core.codec.json.JsonValues.NODES;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.InformationResource;

/**
 * One entry of the directory (RFC 7285 §9.2.2): {@code uri}, {@code media-type},
 * {@code accepts}, {@code capabilities} and {@code uses}. Capabilities are those of RFC 7285
 * (§11.3.2.4 {@code cost-constraints} and {@code cost-type-names}, §11.4.1.4 {@code prop-types})
 * and of RFC 8895 §6.3 ({@code incremental-change-media-types}, {@code support-stream-control});
 * others are ignored (§8.3.7). Stateless; any thread.
 */
final class ResourceJson {

    private ResourceJson() {
    }

    static InformationResource read(String id, ObjectNode o, String p, Map<String, CostType> costTypes) {
        String uri = JsonFields.string(o, p, "uri");
        if (uri.isEmpty()) {
            throw JsonFields.invalid(path(p, "uri"), uri, "uri must not be empty");
        }
        String mediaType = JsonFields.string(o, p, "media-type");
        String accepts = JsonFields.optionalString(o, p, "accepts");
        List<String> uses = ids(JsonFields.optionalArray(o, p, "uses"), path(p, "uses"));
        ObjectNode caps = JsonFields.optionalObject(o, p, "capabilities");
        if (caps == null) {
            return new InformationResource(id, uri, mediaType, accepts, null, null, null, null, null, uses);
        }
        String cp = path(p, "capabilities");
        List<String> costTypeNames = costTypeNames(caps, cp, costTypes);
        ArrayNode props = JsonFields.optionalArray(caps, cp, "prop-types");
        List<String> propTypes = props == null ? null : DirectoryJson.strings(props, path(cp, "prop-types"));
        Boolean constraints = JsonFields.optionalBoolean(caps, cp, "cost-constraints");
        Map<String, String> incremental = incremental(caps, cp);
        Boolean streamControl = JsonFields.optionalBoolean(caps, cp, "support-stream-control");
        return new InformationResource(id, uri, mediaType, accepts, costTypeNames, propTypes, constraints,
                incremental, streamControl, uses);
    }

    private static List<String> ids(ArrayNode list, String p) {
        if (list == null) {
            return null;
        }
        List<String> out = DirectoryJson.strings(list, p);
        for (int i = 0; i < out.size(); i++) {
            Identifiers.resourceId(out.get(i), index(p, i));
        }
        return out;
    }

    private static List<String> costTypeNames(ObjectNode caps, String cp, Map<String, CostType> costTypes) {
        ArrayNode list = JsonFields.optionalArray(caps, cp, "cost-type-names");
        if (list == null) {
            return null;
        }
        String p = path(cp, "cost-type-names");
        List<String> names = DirectoryJson.strings(list, p);
        for (int i = 0; i < names.size(); i++) {
            if (!costTypes.containsKey(names.get(i))) {
                throw JsonFields.invalid(index(p, i), names.get(i),
                        "cost type " + names.get(i) + " is not defined in meta.cost-types");
            }
        }
        return names;
    }

    private static Map<String, String> incremental(ObjectNode caps, String cp) {
        ObjectNode o = JsonFields.optionalObject(caps, cp, "incremental-change-media-types");
        if (o == null) {
            return null;
        }
        String p = path(cp, "incremental-change-media-types");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            Identifiers.resourceId(e.getKey(), path(p, e.getKey()));
            if (!e.getValue().isTextual()) {
                throw JsonFields.wrongType(path(p, e.getKey()), "a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    static ObjectNode write(InformationResource r) {
        ObjectNode o = NODES.objectNode();
        o.put("uri", r.uri());
        o.put("media-type", r.mediaType());
        if (r.accepts() != null) {
            o.put("accepts", r.accepts());
        }
        ObjectNode caps = writeCapabilities(r);
        if (!caps.isEmpty()) {
            o.set("capabilities", caps);
        }
        if (!r.uses().isEmpty()) {
            o.set("uses", DirectoryJson.writeStrings(r.uses()));
        }
        return o;
    }

    private static ObjectNode writeCapabilities(InformationResource r) {
        ObjectNode caps = NODES.objectNode();
        if (!r.costTypeNames().isEmpty()) {
            caps.set("cost-type-names", DirectoryJson.writeStrings(r.costTypeNames()));
        }
        if (!r.propTypes().isEmpty()) {
            caps.set("prop-types", DirectoryJson.writeStrings(r.propTypes()));
        }
        if (r.costConstraints() != null) {
            caps.put("cost-constraints", r.costConstraints());
        }
        if (!r.incrementalChangeMediaTypes().isEmpty()) {
            ObjectNode inc = caps.putObject("incremental-change-media-types");
            r.incrementalChangeMediaTypes().forEach(inc::put);
        }
        if (r.supportStreamControl() != null) {
            caps.put("support-stream-control", r.supportStreamControl());
        }
        return caps;
    }
}

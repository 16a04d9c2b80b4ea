package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.path;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.VersionTag;

/**
 * The small values every RFC 7285 message shares: version tags (§10.3), cost types (§10.7) and
 * cost values. Checks run here with the full path, before the model's constructors would check
 * again with a shorter one, so that errors name {@code meta.vtag.tag} rather than {@code vtag.tag}.
 * Stateless; any thread.
 */
final class JsonValues {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Integral costs up to 2^53 are written as integers: {@code 1}, not {@code 1.0}. */
    private static final double MAX_EXACT = 9007199254740992.0;

    private JsonValues() {
    }

    static VersionTag readVtag(JsonNode node, String path) {
        ObjectNode o = JsonFields.asObject(node, path);
        String id = JsonFields.string(o, path, "resource-id");
        Identifiers.resourceId(id, path(path, "resource-id"));
        String tag = JsonFields.string(o, path, "tag");
        Identifiers.tag(tag, path(path, "tag"));
        return new VersionTag(id, tag);
    }

    static ObjectNode writeVtag(VersionTag vtag) {
        ObjectNode o = NODES.objectNode();
        o.put("resource-id", vtag.resourceId());
        o.put("tag", vtag.tag());
        return o;
    }

    static ArrayNode writeVtags(List<VersionTag> vtags) {
        ArrayNode a = NODES.arrayNode(vtags.size());
        vtags.forEach(v -> a.add(writeVtag(v)));
        return a;
    }

    static CostType readCostType(JsonNode node, String path) {
        ObjectNode o = JsonFields.asObject(node, path);
        CostMode mode = CostMode.parse(JsonFields.string(o, path, "cost-mode"), path(path, "cost-mode"));
        String metric = JsonFields.string(o, path, "cost-metric");
        Identifiers.costMetric(metric, path(path, "cost-metric"));
        String description = JsonFields.optionalString(o, path, "description");
        return new CostType(metric, mode, description);
    }

    /** The same read from a request body kept by {@link RequestJson}, with the same errors. */
    static CostType readCostType(RequestMember member, String path) {
        RequestMember o = member.asObject(path);
        CostMode mode = CostMode.parse(o.string(path, "cost-mode"), path(path, "cost-mode"));
        String metric = o.string(path, "cost-metric");
        Identifiers.costMetric(metric, path(path, "cost-metric"));
        String description = o.optionalString(path, "description");
        return new CostType(metric, mode, description);
    }

    static ObjectNode writeCostType(CostType type) {
        ObjectNode o = NODES.objectNode();
        o.put("cost-mode", type.mode().wireName());
        o.put("cost-metric", type.metric());
        if (type.description() != null) {
            o.put("description", type.description());
        }
        return o;
    }

    /** A cost as a JSON number: an integer node when the value is integral, so any writer prints {@code 5}. */
    static JsonNode cost(double v) {
        if (v == Math.rint(v) && Math.abs(v) <= MAX_EXACT) {
            long l = (long) v;
            // The node types a parser would build for the same text, so written and parsed trees compare equal.
            return l == (int) l ? NODES.numberNode((int) l) : NODES.numberNode(l);
        }
        return NODES.numberNode(v);
    }
}

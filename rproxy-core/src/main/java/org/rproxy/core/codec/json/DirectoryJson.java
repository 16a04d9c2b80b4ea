package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.index;
import static org.rproxy.core.codec.json.JsonFields.path;
import static org.rproxy.core.codec.json.JsonValues.NODES;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.InformationResource;

/**
 * Reads and writes the information resource directory of RFC 7285 §9.2 with this project's
 * {@code meta.alto-redist} extension (keys and proxies, see {@link RedistJson}).
 *
 * <p>Beyond the model's own checks, a reader here refuses a {@code uses} entry that names no
 * resource of the directory (§9.2.2 says they are defined in the same IRD), so that a broken
 * dependency is reported at load time with its index rather than at the first query.
 * Stateless; any thread.
 */
final class DirectoryJson {

    private DirectoryJson() {
    }

    static Directory read(JsonNode doc) {
        ObjectNode root = JsonFields.asObject(doc, "");
        ObjectNode meta = JsonFields.optionalObject(root, "", "meta");
        Map<String, CostType> costTypes = new LinkedHashMap<>();
        String defaultMap = null;
        RedistJson.Redist redist = RedistJson.Redist.NONE;
        if (meta != null) {
            costTypes = readCostTypes(JsonFields.optionalObject(meta, "meta", "cost-types"));
            defaultMap = JsonFields.optionalString(meta, "meta", "default-alto-network-map");
            redist = RedistJson.read(JsonFields.optionalObject(meta, "meta", RedistJson.MEMBER));
        }
        ObjectNode resources = JsonFields.object(root, "", "resources");
        Map<String, InformationResource> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : resources.properties()) {
            String id = e.getKey();
            String p = path("resources", id);
            Identifiers.resourceId(id, p);
            entries.put(id, ResourceJson.read(id, JsonFields.asObject(e.getValue(), p), p, costTypes));
        }
        entries.forEach((id, r) -> checkUses(r, entries));
        return new Directory(costTypes, defaultMap, entries, redist.keys(), redist.proxies(), redist.overlay());
    }

    private static Map<String, CostType> readCostTypes(ObjectNode types) {
        Map<String, CostType> out = new LinkedHashMap<>();
        if (types == null) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : types.properties()) {
            String name = e.getKey();
            String p = path("meta/cost-types", name);
            if (name.isEmpty()) {
                throw JsonFields.invalid(p, name, "cost type name must not be empty");
            }
            out.put(name, JsonValues.readCostType(e.getValue(), p));
        }
        return out;
    }

    private static void checkUses(InformationResource r, Map<String, InformationResource> entries) {
        List<String> uses = r.uses();
        for (int i = 0; i < uses.size(); i++) {
            if (!entries.containsKey(uses.get(i))) {
                throw JsonFields.invalid(index(path(path("resources", r.id()), "uses"), i), uses.get(i),
                        "not a resource of this directory");
            }
        }
    }

    static ObjectNode write(Directory dir) {
        ObjectNode root = NODES.objectNode();
        ObjectNode meta = root.putObject("meta");
        if (!dir.costTypes().isEmpty()) {
            ObjectNode types = meta.putObject("cost-types");
            dir.costTypes().forEach((name, type) -> types.set(name, JsonValues.writeCostType(type)));
        }
        if (dir.defaultNetworkMap() != null) {
            meta.put("default-alto-network-map", dir.defaultNetworkMap());
        }
        if (!dir.keys().isEmpty() || !dir.proxies().isEmpty() || dir.overlay() != null) {
            meta.set(RedistJson.MEMBER, RedistJson.write(dir.keys(), dir.proxies(), dir.overlay()));
        }
        ObjectNode resources = root.putObject("resources");
        dir.resources().forEach((id, r) -> resources.set(id, ResourceJson.write(r)));
        return root;
    }

    static List<String> strings(ArrayNode list, String p) {
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(JsonFields.element(list, i, p));
        }
        return out;
    }

    static ArrayNode writeStrings(List<String> values) {
        ArrayNode a = NODES.arrayNode(values.size());
        values.forEach(a::add);
        return a;
    }
}

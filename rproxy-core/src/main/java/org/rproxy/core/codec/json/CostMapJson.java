package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.path;
import static org.rproxy.core.codec.json.JsonValues.NODES;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.CanonicalJsonWriter;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostRows;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.VersionTag;

/**
 * Reads and writes the cost map of RFC 7285 §11.2.3.6:
 * {@code {"meta":{"dependent-vtags":[..],"cost-type":{..}},"cost-map":{"PID1":{"PID2":5}}}}.
 *
 * <p>RFC 7285 gives a cost map no {@code meta.vtag}; this project adds one (as RFC 8895 §6.7
 * does for pushed maps) so that a proxy can tell versions apart. It is read when present and
 * otherwise taken from the caller. The same shape serves the filtered cost map (§11.3.2.6),
 * written without the vtag. The inner loop runs once per cost (millions for a large map), so it
 * checks types inline and builds a field path only when it throws; rows are collected by the
 * model's {@link CostRows}, which builds the map's compact table without boxing a cost, and
 * written through {@link CostMap#forEachCost}, which visits them without boxing either.
 * {@link CostMapStream} reads the same document from bytes without building a tree. Stateless;
 * any thread.
 */
final class CostMapJson {
    /** Answers (whole maps) estimated at this size or more are counted first, not copied to size. */
    private static final long EXACT_SIZE_FROM = 64 * 1024;

    private CostMapJson() {
    }

    static CostMap read(JsonNode doc, VersionTag fallback) {
        ObjectNode root = JsonFields.asObject(doc, "");
        ObjectNode meta = JsonFields.object(root, "", "meta");
        ObjectNode map = JsonFields.object(root, "", "cost-map");
        CostRows rows = new CostRows();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String src = e.getKey();
            String srcPath = path("cost-map", src);
            Identifiers.pid(src, srcPath);
            rows.startRow(src);
            for (Map.Entry<String, JsonNode> c : JsonFields.asObject(e.getValue(), srcPath).properties()) {
                JsonNode v = c.getValue();
                if (!v.isNumber()) {
                    throw JsonFields.wrongType(path(srcPath, c.getKey()), "a number");
                }
                rows.add(c.getKey(), v.doubleValue());
            }
            rows.endRow();
        }
        return build(meta, rows, fallback);
    }

    /** Checks {@code meta} and builds the map; shared by the tree and the streaming reader. */
    static CostMap build(ObjectNode meta, CostRows rows, VersionTag fallback) {
        VersionTag vtag = DocumentMeta.vtagOf(meta, fallback);
        List<VersionTag> deps = DocumentMeta.dependentVtags(meta);
        if (deps.size() != 1) {
            throw JsonFields.invalid("meta/dependent-vtags", String.valueOf(deps.size()),
                    "a cost map depends on exactly one network map (found " + deps.size() + ")");
        }
        CostType type = JsonValues.readCostType(JsonFields.object(meta, "meta", "cost-type"), "meta/cost-type");
        return rows.build(vtag, deps.get(0), type);
    }

    static ObjectNode write(CostMap map, boolean withVtag) {
        ObjectNode root = NODES.objectNode();
        ObjectNode meta = root.putObject("meta");
        if (withVtag) {
            meta.set("vtag", JsonValues.writeVtag(map.vtag()));
        }
        DocumentMeta.withDependentVtags(meta, List.of(map.dependentVtag()));
        meta.set("cost-type", JsonValues.writeCostType(map.costType()));
        root.set("cost-map", writeCosts(map));
        return root;
    }

    /**
     * The RFC 8785 bytes of {@link #write}'s tree, written straight from the map: the members of
     * every object are emitted in canonical order (the map's PIDs are already in {@code String}
     * order), so nothing is built or sorted per answer.
     */
    static byte[] canonical(CostMap map, boolean withVtag) {
        // some 16 characters per cost ("PID":cost,) and per row: sized by what is written, and
        // copied to size when small; a large answer (a whole map is megabytes) is counted first
        long estimate = 256 + 16L * (map.costs().size() + map.costCount());
        int size = estimate < EXACT_SIZE_FROM ? (int) estimate : canonicalLength(map, withVtag);
        return canonical(map, withVtag, true, size);
    }

    /**
     * The length of {@link #canonical}'s bytes, counted without writing them, so that its writer
     * is given its exact size and its buffer is the answer, not copied to size (a whole map is
     * megabytes): the {@code meta} as written around an empty {@code cost-map}, and each row and
     * cost counted as the writer writes them.
     */
    static int canonicalLength(CostMap map, boolean withVtag) {
        long[] n = {canonical(map, withVtag, false, 256).length};
        for (String src : map.costs().keySet()) {
            // "src":{} with the comma before it (the first row has none: taken off below)
            n[0] += 1 + CanonicalJsonWriter.length(src) + 3;
            // "dst":cost with the comma before it (a row's first has none: taken off below)
            long before = n[0];
            map.forEachCost(src, (dst, cost) -> n[0] += 1 + CanonicalJsonWriter.length(dst) + 1
                    + CanonicalJsonWriter.length(cost));
            n[0] -= n[0] > before ? 1 : 0;
        }
        n[0] -= map.costs().isEmpty() ? 0 : 1;
        return (int) Math.min(Integer.MAX_VALUE - 8, n[0]);
    }

    private static byte[] canonical(CostMap map, boolean withVtag, boolean costs, int size) {
        CanonicalJsonWriter w = new CanonicalJsonWriter(size);
        w.beginObject().name("cost-map").beginObject();
        for (String src : costs ? map.costs().keySet() : List.<String>of()) {
            w.name(src).beginObject();
            map.forEachCost(src, (dst, cost) -> w.name(dst).value(cost));
            w.endObject();
        }
        w.endObject().name("meta").beginObject();
        writeCostType(w, map.costType());
        w.name("dependent-vtags").beginArray();
        writeVtag(w, map.dependentVtag());
        w.endArray();
        if (withVtag) {
            w.name("vtag");
            writeVtag(w, map.vtag());
        }
        return w.endObject().endObject().toUtf8();
    }

    /**
     * An endpoint cost answer as RFC 8785 bytes, written straight from {@code costs} (sorted here
     * unless already sorted by natural order, as {@code EndpointCostAnswer} keeps it): what {@code Jcs.canonicalize} of
     * {@link AltoJson#writeEndpointCost} gives, without the tree.
     */
    static byte[] canonicalEndpointCost(CostType type, List<VersionTag> dependentVtags,
                                        Map<String, Map<String, Double>> costs) {
        int n = 0;
        for (Map<String, Double> row : costs.values()) {
            n += row.size();
        }
        CanonicalJsonWriter w = new CanonicalJsonWriter(256 + 48 * costs.size() + 32 * n);
        w.beginObject().name("endpoint-cost-map").beginObject();
        for (Map.Entry<String, Map<String, Double>> row : sorted(costs).entrySet()) {
            w.name(row.getKey()).beginObject();
            sorted(row.getValue()).forEach((dst, cost) -> w.name(dst).value(cost));
            w.endObject();
        }
        w.endObject().name("meta").beginObject();
        writeCostType(w, type);
        if (!dependentVtags.isEmpty()) {
            w.name("dependent-vtags").beginArray();
            dependentVtags.forEach(v -> writeVtag(w, v));
            w.endArray();
        }
        return w.endObject().endObject().toUtf8();
    }

    /** {@code map} when it is sorted by natural order already, else a sorted copy. */
    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return map instanceof SortedMap<String, V> s && s.comparator() == null ? map : new TreeMap<>(map);
    }

    private static void writeCostType(CanonicalJsonWriter w, CostType type) {
        w.name("cost-type").beginObject().name("cost-metric").value(type.metric())
                .name("cost-mode").value(type.mode().wireName());
        if (type.description() != null) {
            w.name("description").value(type.description());
        }
        w.endObject();
    }

    private static void writeVtag(CanonicalJsonWriter w, VersionTag vtag) {
        w.beginObject().name("resource-id").value(vtag.resourceId()).name("tag").value(vtag.tag()).endObject();
    }

    /** The {@code cost-map} member: source to (destination to cost). */
    private static ObjectNode writeCosts(CostMap map) {
        ObjectNode out = NODES.objectNode();
        for (String src : map.costs().keySet()) {
            ObjectNode r = out.putObject(src);
            map.forEachCost(src, (dst, cost) -> r.set(dst, JsonValues.cost(cost)));
        }
        return out;
    }

    /** Source to (destination to cost), as in {@code endpoint-cost-map}. */
    static ObjectNode writeCosts(Map<String, Map<String, Double>> costs) {
        ObjectNode out = NODES.objectNode();
        costs.forEach((src, row) -> {
            ObjectNode r = out.putObject(src);
            row.forEach((dst, cost) -> r.set(dst, JsonValues.cost(cost)));
        });
        return out;
    }
}

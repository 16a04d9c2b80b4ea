package org.rproxy.core.codec.json;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostRows;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/**
 * The RFC 7285 JSON codec: documents as Jackson trees in, model values out, and back.
 *
 * <p>Readers check the shape of the tree and throw {@link AltoException} with the RFC 7285
 * §8.5.2 code and the path of the member at fault ({@code network-map/PID1/ipv4[2]},
 * {@code meta/cost-type/cost-mode}; see {@link JsonFields}); the model's constructors check the values. Unknown members
 * are ignored (§8.3.7). Writers return trees, not bytes, because the bytes that are signed are
 * the RFC 8785 canonical form, which the caller produces; trees written here hold integral costs
 * as integer nodes, so even a plain writer prints {@code 5} and not {@code 5.0}.
 *
 * <p>Stateless: every method may be called from any thread. Reading a large cost map is CPU
 * work for a feed or loader thread, never for an event loop.
 */
public final class AltoJson {

    private AltoJson() {
    }

    /**
     * Parses {@code bytes} as one JSON value. Refuses repeated member names and trailing content.
     *
     * @throws AltoException {@code E_SYNTAX} with the line and column of the fault
     */
    public static JsonNode parse(byte[] bytes) {
        return JsonSyntax.parse(bytes);
    }

    /** A network map (§11.2.1.6); {@code fallback} names it when {@code meta.vtag} is absent (may be null). */
    public static NetworkMap readNetworkMap(JsonNode doc, VersionTag fallback) {
        return NetworkMapJson.read(requireNonNull(doc, "doc"), fallback);
    }

    /** A cost map (§11.2.3.6); {@code meta.vtag} is this project's extension, else {@code fallback}. */
    public static CostMap readCostMap(JsonNode doc, VersionTag fallback) {
        return CostMapJson.read(requireNonNull(doc, "doc"), fallback);
    }

    /**
     * A cost map read straight from bytes, without building a tree: the same checks and errors
     * as {@link #readCostMap(JsonNode, VersionTag)} plus those of {@link #parse}, in a fraction
     * of the time and memory. Use it for full cost maps, which may hold millions of costs.
     */
    public static CostMap readCostMap(byte[] bytes, VersionTag fallback) {
        return CostMapStream.read(requireNonNull(bytes, "bytes"), fallback);
    }

    /**
     * A document read from a stream by {@link #readDocument}: its top-level members as a tree,
     * except a cost map's costs, which are in {@code costs} (null when there is no
     * {@code cost-map} member).
     */
    public record StreamedDocument(ObjectNode members, CostRows costs) {
        public StreamedDocument {
            requireNonNull(members, "members");
        }
    }

    /**
     * Reads a maps file in one pass without holding its bytes or a tree of its costs: the
     * costs of a {@code cost-map} member go straight into a compact table. Finish a cost map
     * with {@link #buildCostMap}, any other document with the tree readers.
     *
     * @throws AltoException as {@link #parse} does, and for a {@code cost-map} member as
     *                       {@link #readCostMap(byte[], VersionTag)} does
     */
    public static StreamedDocument readDocument(java.io.InputStream in) {
        return readDocument(in, CostsMarks.NONE);
    }

    /**
     * As {@link #readDocument(java.io.InputStream)}, telling {@code marks} when the costs of a
     * {@code cost-map} member begin and end: what the stream gives between the two goes into the
     * compact table, everything else into trees (about twenty times the bytes), so a reader can
     * limit the two apart.
     */
    public static StreamedDocument readDocument(java.io.InputStream in, CostsMarks marks) {
        return DocumentStream.read(requireNonNull(in, "in"), requireNonNull(marks, "marks"));
    }

    /**
     * Told by {@link #readDocument(java.io.InputStream, CostsMarks)} where a {@code cost-map}
     * member's costs begin and end in the stream. The parser reads ahead, so the marks are as
     * exact as its buffer (a few kilobytes). Called on the reading thread.
     */
    public interface CostsMarks {
        /** No marks wanted. */
        CostsMarks NONE = new CostsMarks() {
            @Override
            public void costsBegin() {
            }

            @Override
            public void costsEnd() {
            }
        };

        /** The parser is at the {@code cost-map} member's value: what it reads now goes into the compact table. */
        void costsBegin();

        /** The costs were read: what the parser reads now goes into trees again. */
        void costsEnd();
    }

    /** The cost map of a streamed document, with {@code meta} (completed by the caller as needed). */
    public static CostMap buildCostMap(ObjectNode meta, CostRows costs, VersionTag fallback) {
        return CostMapJson.build(JsonFields.asObject(requireNonNull(meta, "meta"), "meta"), requireNonNull(costs, "costs"),
                fallback);
    }

    /** The origin's static endpoint properties, in the shape of §11.4.1.6 with {@code meta.vtag}. */
    public static EndpointProperties readEndpointProperties(JsonNode doc, VersionTag fallback) {
        return EndpointPropertiesJson.read(requireNonNull(doc, "doc"), fallback);
    }

    /** An information resource directory (§9.2) with the {@code meta.alto-redist} extension. */
    public static Directory readDirectory(JsonNode doc) {
        return DirectoryJson.read(requireNonNull(doc, "doc"));
    }

    /** A cost type object (§10.7) found at {@code path}, e.g. the {@code cost-type} of a request. */
    public static CostType readCostType(JsonNode node, String path) {
        return JsonValues.readCostType(requireNonNull(node, "node"), requireNonNull(path, "path"));
    }

    /** The same read from a query request's member ({@link RequestJson}), with the same errors. */
    public static CostType readCostType(RequestMember member, String path) {
        return JsonValues.readCostType(requireNonNull(member, "member"), requireNonNull(path, "path"));
    }

    /**
     * An error body (§8.5.2) received from upstream. Unknown codes are refused, so that a proxy
     * never relays a code its clients cannot interpret.
     */
    public static AltoError readError(JsonNode doc) {
        ObjectNode meta = JsonFields.object(JsonFields.asObject(requireNonNull(doc, "doc"), ""), "", "meta");
        String code = JsonFields.string(meta, "meta", "code");
        AltoErrorCode c;
        try {
            c = AltoErrorCode.valueOf(code);
        } catch (IllegalArgumentException e) {
            throw JsonFields.invalid("meta/code", code, "unknown ALTO error code");
        }
        JsonNode value = meta.get("value");
        String v = value == null || value.isNull() ? null : value.isTextual() ? value.textValue() : value.toString();
        String message = JsonFields.optionalString(meta, "meta", "message");
        if (message == null) {
            message = JsonFields.optionalString(meta, "meta", "syntax-error");
        }
        return AltoError.of(c, JsonFields.optionalString(meta, "meta", "field"), v,
                message == null ? code : message);
    }

    /** A full network map with its {@code meta.vtag}. */
    public static ObjectNode writeNetworkMap(NetworkMap map) {
        return NetworkMapJson.write(requireNonNull(map, "map"));
    }

    /** A filtered network map (§11.3.1.6): {@code vtag} is that of the full map it was cut from. */
    public static ObjectNode writeNetworkMap(VersionTag vtag, Map<String, List<Cidr>> pids) {
        return NetworkMapJson.write(requireNonNull(vtag, "vtag"), requireNonNull(pids, "pids"));
    }

    /** {@link #writeNetworkMap(VersionTag, Map)} as RFC 8785 bytes, written without a JSON tree. */
    public static byte[] canonicalNetworkMap(VersionTag vtag, Map<String, List<Cidr>> pids) {
        return NetworkMapJson.canonical(requireNonNull(vtag, "vtag"), requireNonNull(pids, "pids"));
    }

    /** A full cost map, with this project's {@code meta.vtag}. */
    public static ObjectNode writeCostMap(CostMap map) {
        return CostMapJson.write(requireNonNull(map, "map"), true);
    }

    /**
     * A cost map with or without {@code meta.vtag}; a filtered cost map (§11.3.2.6) is written
     * without, since its vtag would name the full map rather than the answer.
     */
    public static ObjectNode writeCostMap(CostMap map, boolean withVtag) {
        return CostMapJson.write(requireNonNull(map, "map"), withVtag);
    }

    /**
     * The RFC 8785 bytes of {@link #writeCostMap(CostMap, boolean)}, written without a tree: what
     * a cost map computed per request (a filtered one) is sent as.
     */
    public static byte[] canonicalCostMap(CostMap map, boolean withVtag) {
        return CostMapJson.canonical(requireNonNull(map, "map"), withVtag);
    }

    /** {@link #writeEndpointProperties(List, Map)} as RFC 8785 bytes, written without a JSON tree. */
    public static byte[] canonicalEndpointProperties(List<VersionTag> dependentVtags,
                                                     Map<String, Map<String, String>> properties) {
        return EndpointPropertiesJson.canonicalAnswer(requireNonNull(dependentVtags, "dependentVtags"),
                requireNonNull(properties, "properties"));
    }

    /** The origin's static endpoint properties document, with {@code meta.vtag}. */
    public static ObjectNode writeEndpointProperties(EndpointProperties props) {
        return EndpointPropertiesJson.write(requireNonNull(props, "props"));
    }

    /** An endpoint property answer (§11.4.1.6): {@code meta.dependent-vtags} and {@code endpoint-properties}. */
    public static ObjectNode writeEndpointProperties(List<VersionTag> dependentVtags,
                                                     Map<String, Map<String, String>> properties) {
        return EndpointPropertiesJson.writeAnswer(requireNonNull(dependentVtags, "dependentVtags"),
                requireNonNull(properties, "properties"));
    }

    /**
     * An endpoint cost answer (§11.5.1.6): {@code meta.cost-type} and {@code endpoint-cost-map}.
     * {@code dependentVtags}, when not empty, name the maps the answer was computed from
     * (an extension: RFC 7285 gives this answer no dependencies).
     */
    public static ObjectNode writeEndpointCost(CostType costType, List<VersionTag> dependentVtags,
                                               Map<String, Map<String, Double>> costs) {
        requireNonNull(costType, "costType");
        requireNonNull(dependentVtags, "dependentVtags");
        ObjectNode root = JsonValues.NODES.objectNode();
        ObjectNode meta = root.putObject("meta");
        if (!dependentVtags.isEmpty()) {
            DocumentMeta.withDependentVtags(meta, dependentVtags);
        }
        meta.set("cost-type", JsonValues.writeCostType(costType));
        root.set("endpoint-cost-map", CostMapJson.writeCosts(requireNonNull(costs, "costs")));
        return root;
    }

    /** {@link #writeEndpointCost} as RFC 8785 bytes, written without a tree: what computed answers send. */
    public static byte[] canonicalEndpointCost(CostType costType, List<VersionTag> dependentVtags,
                                               Map<String, Map<String, Double>> costs) {
        return CostMapJson.canonicalEndpointCost(requireNonNull(costType, "costType"),
                requireNonNull(dependentVtags, "dependentVtags"), requireNonNull(costs, "costs"));
    }

    /** The directory (§9.2), {@code meta.alto-redist} included when it holds keys or proxies. */
    public static ObjectNode writeDirectory(Directory dir) {
        return DirectoryJson.write(requireNonNull(dir, "dir"));
    }

    /** An error body (§8.5.2), exactly as the front end serves it. */
    public static String writeError(AltoError error) {
        return ErrorJson.text(requireNonNull(error, "error"));
    }

    /** A cost type object (§10.7). */
    public static ObjectNode writeCostType(CostType type) {
        return JsonValues.writeCostType(requireNonNull(type, "type"));
    }
}

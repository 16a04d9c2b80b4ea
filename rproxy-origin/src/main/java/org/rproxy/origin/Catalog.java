package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.rproxy.core.answer.ResourcePaths;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.sign.AltoResource;

/**
 * The origin's URL space for one {@link MapSet}: the directory it publishes and every full
 * document, rendered once in its dialect (JSON in RFC 8785 canonical form, or the seed's XML)
 * and prepared for signing. Built on the publishing thread whenever the maps change.
 *
 * <p>JSON URIs are relative paths, so that a proxy can serve the origin's signed directory
 * unchanged and clients resolve its URIs against wherever they fetched it (RFC 7285 §9.2.2).
 */
final class Catalog {
    /** The directory's own entries: the endpoint property and endpoint cost services. */
    static final String ENDPOINT_PROPERTY_ID = "endpoint-property";
    static final String ENDPOINT_COST_ID = "endpoint-cost";

    static String filteredNetworkMapId(String netmap) {
        return netmap + "-filtered";
    }

    static String filteredCostMapId(String netmap) {
        return netmap + "-filtered-cost-map";
    }

    /**
     * The resource ids the directory gives entries of its own (services and filtered views) for
     * these network maps, each with what it names: a document may not have one of them.
     */
    static Map<String, String> ownEntries(Collection<String> networkMaps) {
        Map<String, String> own = new TreeMap<>();
        own.put(ENDPOINT_PROPERTY_ID, "the endpoint property service");
        own.put(ENDPOINT_COST_ID, "the endpoint cost service");
        own.put(ResourcePaths.UPDATE_STREAM_ID, "the update stream");
        for (String netmap : networkMaps) {
            own.put(filteredNetworkMapId(netmap), "the filtered network map of " + netmap);
            own.put(filteredCostMapId(netmap), "the filtered cost map of " + netmap);
        }
        return own;
    }


    private final MapSet maps;
    private final Directory directory;
    private final Map<String, PreparedDocument> documents;

    Catalog(MapSet maps, List<Jwk> keys, List<String> proxies, String instanceName, String serverUri, XmlCodec xmlCodec) {
        this(maps, keys, proxies, instanceName, serverUri, xmlCodec, null);
    }

    /** @param updateStream path of the update stream to advertise, or null for none */
    Catalog(MapSet maps, List<Jwk> keys, List<String> proxies, String instanceName, String serverUri, XmlCodec xmlCodec,
            String updateStream) {
        this(maps, keys, proxies, instanceName, serverUri, xmlCodec, updateStream, null);
    }

    /** @param overlay the P2P overlay to name in the directory, or null */
    Catalog(MapSet maps, List<Jwk> keys, List<String> proxies, String instanceName, String serverUri, XmlCodec xmlCodec,
            String updateStream, OverlayInfo overlay) {
        this.maps = requireNonNull(maps, "maps");
        this.directory = buildDirectory(maps, keys, proxies, updateStream, overlay);
        Map<String, PreparedDocument> docs = new LinkedHashMap<>();
        json(docs, ResourcePaths.DIRECTORY_PATH, ResourcePaths.DIRECTORY_ID, MediaTypes.DIRECTORY, Jcs.canonicalize(AltoJson.writeDirectory(directory)));
        maps.networkMaps().forEach((id, map) ->
                json(docs, networkMapPath(id), id, MediaTypes.NETWORK_MAP, Jcs.canonicalize(AltoJson.writeNetworkMap(map))));
        maps.costMaps().forEach((id, map) ->
                json(docs, costMapPath(id), id, MediaTypes.COST_MAP, Jcs.canonicalize(AltoJson.writeCostMap(map))));
        xml(docs, ResourcePaths.CAPABILITY_PATH, "capability", xmlCodec.renderCapability(directory, instanceName, serverUri));
        NetworkMap def = maps.defaultMap();
        xml(docs, ResourcePaths.XML_NETWORK_MAP_PATH, def.vtag().resourceId(), xmlCodec.renderNetworkMap(def));
        for (String metric : metrics(def.vtag().resourceId())) {
            CostMap cm = maps.costMap(def.vtag().resourceId(), metric).orElseThrow();
            Bytes body = xmlCodec.renderCostMap(cm);
            xml(docs, ResourcePaths.XML_COST_MAP_PATH + "?type=" + metric, cm.vtag().resourceId(), body);
            if (metric.equals(ResourcePaths.DEFAULT_METRIC)) {
                xml(docs, ResourcePaths.XML_COST_MAP_PATH, cm.vtag().resourceId(), body);
            }
        }
        this.documents = Map.copyOf(docs);
    }

    /** True when {@code other} serves the same paths with the same bytes, and the same endpoint properties. */
    boolean sameDocumentsAs(Catalog other) {
        if (!documents().keySet().equals(other.documents().keySet())) {
            return false;
        }
        // the endpoint properties are no document of their own (their names go in the
        // directory): a changed value changes no rendered byte, and must still be taken
        if (!maps().endpointProperties().equals(other.maps().endpointProperties())) {
            return false;
        }
        for (Map.Entry<String, PreparedDocument> e : documents().entrySet()) {
            if (!e.getValue().identityDigest().equals(other.documents().get(e.getKey()).identityDigest())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first map of this catalog that keeps the vtag it had in {@code before} while its bytes
     * changed, as {@code "resource-id" (tag "T")}, or null. A vtag names one version (RFC 7285
     * §10.3): clients and update streams take a map whose vtag they hold as the one they hold.
     */
    String vtagKeptWithNewBytes(Catalog before) {
        for (NetworkMap m : maps.networkMaps().values()) {
            NetworkMap old = before.maps.networkMaps().get(m.vtag().resourceId());
            if (old != null && old.vtag().equals(m.vtag()) && !sameBytes(before, networkMapPath(m.vtag().resourceId()))) {
                return "\"" + m.vtag().resourceId() + "\" (tag \"" + m.vtag().tag() + "\")";
            }
        }
        for (CostMap m : maps.costMaps().values()) {
            CostMap old = before.maps.costMaps().get(m.vtag().resourceId());
            if (old != null && old.vtag().equals(m.vtag()) && !sameBytes(before, costMapPath(m.vtag().resourceId()))) {
                return "\"" + m.vtag().resourceId() + "\" (tag \"" + m.vtag().tag() + "\")";
            }
        }
        return null;
    }

    private boolean sameBytes(Catalog before, String path) {
        PreparedDocument a = documents.get(path);
        PreparedDocument b = before.documents.get(path);
        return a == null || b == null || a.identityDigest().equals(b.identityDigest());
    }

    MapSet maps() {
        return maps;
    }

    Directory directory() {
        return directory;
    }

    /** Canonical request target (path and query) to the document served there. */
    Map<String, PreparedDocument> documents() {
        return documents;
    }

    static String networkMapPath(String id) {
        return "/networkmap/" + id;
    }

    static String costMapPath(String id) {
        return "/costmap/" + id;
    }

    static String filteredNetworkMapPath(String netmap) {
        return "/networkmap/" + netmap + "/filtered";
    }

    static String filteredCostMapPath(String netmap) {
        return "/costmap/" + netmap + "/filtered";
    }

    /** The metrics of the cost maps that depend on {@code netmap}, sorted. */
    TreeSet<String> metrics(String netmap) {
        TreeSet<String> out = new TreeSet<>();
        maps.costMaps().values().forEach(c -> {
            if (c.dependentVtag().resourceId().equals(netmap)) {
                out.add(c.costType().metric());
            }
        });
        return out;
    }

    /** Cost type name used in the directory: {@code num-routingcost}, {@code ord-hopcount}. */
    static String costTypeName(String metric, CostMode mode) {
        return (mode == CostMode.NUMERICAL ? "num-" : "ord-") + metric;
    }

    private static Directory buildDirectory(MapSet maps, List<Jwk> keys, List<String> proxies, String updateStream,
                                            OverlayInfo overlay) {
        Map<String, CostType> costTypes = new TreeMap<>();
        Map<String, InformationResource> resources = new TreeMap<>();
        List<String> defaultTypeNames = new ArrayList<>();
        maps.networkMaps().keySet().forEach(id ->
                resources.put(id, InformationResource.simple(id, networkMapPath(id), MediaTypes.NETWORK_MAP, List.of())));
        maps.costMaps().forEach((id, cm) -> {
            CostType t = cm.costType();
            String name = costTypeName(t.metric(), t.mode());
            costTypes.put(name, t);
            resources.put(id, new InformationResource(id, costMapPath(id), MediaTypes.COST_MAP, null,
                    List.of(name), null, null, null, null, List.of(cm.dependentVtag().resourceId())));
        });
        for (String netmap : maps.networkMaps().keySet()) {
            List<String> names = new ArrayList<>();
            maps.costMaps().values().stream()
                    .filter(c -> c.dependentVtag().resourceId().equals(netmap))
                    .map(c -> c.costType())
                    .forEach(t -> {
                        names.add(costTypeName(t.metric(), t.mode()));
                        if (t.mode() == CostMode.NUMERICAL) {
                            // an ordinal view of every numerical map is computed on request
                            CostType ord = new CostType(t.metric(), CostMode.ORDINAL, t.description());
                            costTypes.putIfAbsent(costTypeName(t.metric(), CostMode.ORDINAL), ord);
                            names.add(costTypeName(t.metric(), CostMode.ORDINAL));
                        }
                    });
            List<String> sorted = new ArrayList<>(new TreeSet<>(names));
            if (netmap.equals(maps.defaultNetworkMap())) {
                // the endpoint cost service is computed on the default network map alone (Answers):
                // it offers that map's cost types, not every map's (RFC 7285 §11.5.1.4)
                defaultTypeNames.addAll(sorted);
            }
            resources.put(filteredNetworkMapId(netmap), new InformationResource(filteredNetworkMapId(netmap),
                    filteredNetworkMapPath(netmap), MediaTypes.NETWORK_MAP, MediaTypes.NETWORK_MAP_FILTER,
                    null, null, null, null, null, List.of(netmap)));
            if (!sorted.isEmpty()) {
                resources.put(filteredCostMapId(netmap), new InformationResource(filteredCostMapId(netmap),
                        filteredCostMapPath(netmap), MediaTypes.COST_MAP, MediaTypes.COST_MAP_FILTER,
                        sorted, null, Boolean.TRUE, null, null, List.of(netmap)));
            }
        }
        List<String> propTypes = new ArrayList<>();
        maps.networkMaps().keySet().forEach(id -> propTypes.add(id + ".pid"));
        TreeSet<String> staticProps = new TreeSet<>();
        maps.endpointProperties().values().forEach(p -> p.properties().values().forEach(m -> staticProps.addAll(m.keySet())));
        propTypes.addAll(staticProps);
        resources.put(ENDPOINT_PROPERTY_ID, new InformationResource(ENDPOINT_PROPERTY_ID, ResourcePaths.ENDPOINT_PROP_PATH,
                MediaTypes.ENDPOINT_PROP, MediaTypes.ENDPOINT_PROP_PARAMS, null, propTypes, null, null, null,
                new ArrayList<>(maps.networkMaps().keySet())));
        List<String> ecTypes = new ArrayList<>(new TreeSet<>(defaultTypeNames));
        if (!ecTypes.isEmpty()) {
            // no "uses": RFC 7285 §11.5.1.5 says an ECS MUST NOT name a network or cost map there. It
            // is computed on meta.default-alto-network-map, which is how proxies know (AnswerEngine).
            resources.put(ENDPOINT_COST_ID, new InformationResource(ENDPOINT_COST_ID, ResourcePaths.ENDPOINT_COST_PATH,
                    MediaTypes.ENDPOINT_COST, MediaTypes.ENDPOINT_COST_PARAMS, ecTypes, null, Boolean.TRUE, null, null,
                    null));
        }
        if (updateStream != null) {
            resources.put(ResourcePaths.UPDATE_STREAM_ID, updateStreamEntry(maps, updateStream));
        }
        return new Directory(costTypes, maps.defaultNetworkMap(), resources, keys, proxies, overlay);
    }

    /**
     * The update stream entry (RFC 8895 §6.3): it streams every full network and cost map, each
     * also as a JSON merge patch. The stream offers more (the directory itself and the XML
     * documents, named by path); see the push module.
     */
    private static InformationResource updateStreamEntry(MapSet maps, String path) {
        List<String> streamed = new ArrayList<>(new TreeSet<>(maps.networkMaps().keySet()));
        streamed.addAll(new TreeSet<>(maps.costMaps().keySet()));
        Map<String, String> incremental = new TreeMap<>();
        streamed.forEach(id -> incremental.put(id, MediaTypes.MERGE_PATCH));
        return new InformationResource(ResourcePaths.UPDATE_STREAM_ID, path, MediaTypes.EVENT_STREAM, MediaTypes.UPDATE_STREAM_PARAMS,
                null, null, null, incremental, Boolean.TRUE, streamed);
    }

    private static void json(Map<String, PreparedDocument> docs, String path, String id, String type, byte[] body) {
        docs.put(path, PreparedDocument.of(AltoResource.of(id, path), type, Bytes.wrap(body)));
    }

    private static void xml(Map<String, PreparedDocument> docs, String path, String id, Bytes body) {
        docs.put(path, PreparedDocument.of(AltoResource.of(id, path), MediaTypes.XML, body));
    }
}

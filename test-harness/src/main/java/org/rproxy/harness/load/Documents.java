package org.rproxy.harness.load;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.core.model.VersionTag;

/**
 * What viewers learn from the documents they read, parsed once per representation (by entity
 * tag) however many viewers receive it: the directory's URIs, and a network map's prefix index
 * for finding one's own PID by longest-prefix match. Thread-safe.
 */
final class Documents {
    private final XmlCodec xml = new XmlCodec();
    private final ConcurrentHashMap<String, DirectoryInfo> directories = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, PrefixIndex> maps = new ConcurrentHashMap<>();

    /**
     * The URIs a JSON viewer uses, taken from an RFC 7285 directory.
     *
     * Each URI is an absolute path, or a relative reference (no leading {@code /}) to resolve
     * against the directory's URL.
     *
     * @param networkMap      path of the default network map
     * @param netmapId        its resource id (for the {@code <id>.pid} property)
     * @param filteredCostMap path of the filtered cost map of the default network map
     * @param endpointCost    path of the endpoint cost service
     * @param endpointProp    path of the endpoint property service
     * @param metric          the metric viewers ask for ({@code routingcost} when offered)
     */
    record DirectoryInfo(String networkMap, String netmapId, String filteredCostMap, String endpointCost,
                         String endpointProp, String metric) {
    }

    /** @param body the body as received; asked for only when this representation is new */
    DirectoryInfo directory(String etag, Supplier<byte[]> body, String encoding) {
        return directories.computeIfAbsent(etag, k -> readDirectory(decode(body.get(), encoding)));
    }

    PrefixIndex networkMap(String etag, Supplier<byte[]> body, String encoding, boolean isXml) {
        return maps.computeIfAbsent(etag, k -> {
            byte[] plain = decode(body.get(), encoding);
            VersionTag vt = new VersionTag("viewer-copy", "t");
            return (isXml ? xml.parseNetworkMap(Bytes.wrap(plain), vt)
                    : AltoJson.readNetworkMap(AltoJson.parse(plain), vt)).index();
        });
    }

    private static DirectoryInfo readDirectory(byte[] body) {
        JsonNode doc = AltoJson.parse(body);
        Directory dir = AltoJson.readDirectory(doc);
        String netmap = dir.defaultNetworkMap();
        String netPath = null;
        String filtered = null;
        String ecs = null;
        String props = null;
        for (InformationResource r : dir.resources().values()) {
            boolean usesDefault = r.uses() != null && r.uses().contains(netmap);
            if (r.id().equals(netmap)) {
                netPath = path(r.uri());
            } else if (MediaTypes.COST_MAP_FILTER.equals(r.accepts()) && usesDefault) {
                filtered = path(r.uri());
            } else if (MediaTypes.ENDPOINT_COST_PARAMS.equals(r.accepts())) {
                ecs = path(r.uri());
            } else if (MediaTypes.ENDPOINT_PROP_PARAMS.equals(r.accepts())) {
                props = path(r.uri());
            }
        }
        if (netPath == null || filtered == null || ecs == null || props == null) {
            throw new IllegalStateException("the directory lacks a resource viewers need (network map " + netPath
                    + ", filtered cost map " + filtered + ", endpoint cost " + ecs + ", endpoint property " + props + ")");
        }
        String metric = "routingcost";
        boolean offered = false;
        for (CostType t : dir.costTypes().values()) {
            offered |= t.metric().equals(metric);
        }
        if (!offered && !dir.costTypes().isEmpty()) {
            metric = dir.costTypes().values().iterator().next().metric();
        }
        return new DirectoryInfo(netPath, netmap, filtered, ecs, props, metric);
    }

    /**
     * An IRD URI as a reference on the viewer's target: relative ones and absolute paths as they
     * are (the viewer resolves them against the directory's URL, as RFC 3986 says), absolute ones
     * without scheme and authority (a viewer stays on its target).
     */
    private static String path(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri;
        }
        int slash = uri.indexOf('/', scheme + 3);
        return slash < 0 ? "/" : uri.substring(slash);
    }

    static byte[] decode(byte[] body, String encoding) {
        if (encoding == null || !encoding.equalsIgnoreCase("gzip")) {
            return body;
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("gzip body does not decompress", e);
        }
    }
}

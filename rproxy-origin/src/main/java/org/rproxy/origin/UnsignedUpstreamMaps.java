package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;
import org.rproxy.core.sign.ContentDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing front's source: reads an existing, unsigned RFC 7285 ALTO server —
 * its directory, then every full network map and cost map the directory lists — and hands the
 * origin a validated {@link MapSet} to sign and serve. Nothing it reads is trusted further than
 * the maps' own validation: the front signs what its operator's own server says.
 *
 * <p>A cost map is read straight from its bytes into its compact table (no tree of its costs),
 * and gets the directory's resource id and a version tag hashed from those bytes (RFC 7285 cost
 * maps carry no vtag), as a maps folder's cost map does: other bytes, another tag, so a tag names
 * one version (the bytes hold the dependent network map's tag too). A document the server says
 * is unchanged (304 to the {@code If-None-Match} sent with the ETag it gave), or whose bytes are
 * those read last time, is not read again: the map read then is handed on, and when nothing
 * changed, the very {@link MapSet} of the last load. A snapshot in which a cost map depends on
 * another version of its network map than the one read (the server changed between two
 * requests) is refused with an {@link IOException}, and the origin keeps the previous maps until
 * the next load. A resource on another server than the directory's (scheme, host and port, a
 * port left out being the scheme's default) is not followed: it is left out, with a log line
 * the first time, and so is a cost map that depends on a network map left out. A document over
 * the size limit is refused, and so is a load over its {@link MapsLimits}: more maps listed, more
 * bytes of them, or a network map (a tree) larger than they allow, and so is a load that takes
 * longer than its time bound ({@link #DEFAULT_ROUND_TIMEOUT}, each request at most the timeout
 * given): a server that accepts connections and stalls costs a poll that bound. Blocking; runs on
 * the origin's reader thread ({@link SourcePolls}), never on the publisher's, so that re-signing
 * never waits for the server.
 */
public final class UnsignedUpstreamMaps implements MapSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnsignedUpstreamMaps.class);

    /** How long one load may take in all, the directory and every map, unless {@link #withRoundTimeout} says otherwise. */
    public static final Duration DEFAULT_ROUND_TIMEOUT = Duration.ofMinutes(5);

    private final URI directory;
    private final UpstreamDocuments documents;
    private final MapsLimits limits;
    /** Resources left out as being on another server, logged once each. Publishing thread only. */
    private final Set<String> elsewhere = new HashSet<>();
    /** The last load's maps, handed on again when nothing changed. */
    private MapSet last;

    private UnsignedUpstreamMaps(URI directory, UpstreamDocuments documents, MapsLimits limits) {
        this.directory = directory;
        this.documents = documents.withMaxRoundBytes(limits.maxTotalBytes()).withRoundTimeout(DEFAULT_ROUND_TIMEOUT);
        this.limits = limits;
    }

    /**
     * As {@link #connect(URI, Path, Duration, long)}, each document at most
     * {@link MapsFolder#DEFAULT_MAX_FILE_BYTES}, the default of {@code --max-map-file-size}.
     */
    public static UnsignedUpstreamMaps connect(URI directoryUrl, Path ca, Duration timeout) {
        return connect(directoryUrl, ca, timeout, MapsFolder.DEFAULT_MAX_FILE_BYTES);
    }

    /**
     * @param directoryUrl     the server's IRD, e.g. {@code http://alto.example:8080/directory}
     * @param ca               PEM certificates to trust for an https server, or null for the JDK's
     * @param timeout          how long one request may take
     * @param maxDocumentBytes a larger document (body) is refused; at most 2 GB
     */
    public static UnsignedUpstreamMaps connect(URI directoryUrl, Path ca, Duration timeout, long maxDocumentBytes) {
        return connect(directoryUrl, ca, timeout, maxDocumentBytes, MapsLimits.defaults());
    }

    /**
     * As {@link #connect(URI, Path, Duration, long)}, each load within {@code limits}: a directory
     * listing more maps than it allows is refused before any is read, a network map over its
     * tree limit before it is parsed, and a load whose documents together pass its total as soon
     * as they do; the previous maps stay served.
     */
    public static UnsignedUpstreamMaps connect(URI directoryUrl, Path ca, Duration timeout, long maxDocumentBytes,
                                               MapsLimits limits) {
        requireNonNull(directoryUrl, "directoryUrl");
        requireNonNull(limits, "limits");
        return new UnsignedUpstreamMaps(directoryUrl, UpstreamDocuments.connect(directoryUrl, ca, timeout, maxDocumentBytes),
                limits);
    }

    /**
     * Each load at most {@code max} in all (the default is {@link #DEFAULT_ROUND_TIMEOUT}): a
     * request still unanswered then fails the load, and the previous maps stay.
     *
     * @return this
     */
    public UnsignedUpstreamMaps withRoundTimeout(Duration max) {
        documents.withRoundTimeout(requireNonNull(max, "max"));
        return this;
    }

    @Override
    public MapSet load() throws IOException {
        boolean changed = false;
        documents.startRound();
        Directory ird = documents.read(directory, "directory", (b, t) -> AltoJson.readDirectory(AltoJson.parse(b)));
        checkCount(ird);
        Map<String, NetworkMap> networkMaps = new TreeMap<>();
        Map<String, CostMap> costMaps = new TreeMap<>();
        Set<String> leftOut = new HashSet<>();
        for (InformationResource r : ird.resources().values()) {
            if (r.accepts() == null && r.mediaType().equals(MediaTypes.NETWORK_MAP)) {
                URI uri = resolve(r);
                if (uri == null) {
                    leftOut.add(r.id());
                    continue;
                }
                UpstreamDocuments.Fetched<NetworkMap> m = documents.fetch(r.id(), uri, limits.maxTreeBytes(),
                        "--max-network-map-size", (body, bytesTag) -> {
                            JsonNode doc = AltoJson.parse(body);
                            return AltoJson.readNetworkMap(doc, new VersionTag(r.id(), tag(doc)));
                        });
                changed |= m.changed();
                networkMaps.put(m.map().vtag().resourceId(), m.map());
            }
        }
        if (networkMaps.isEmpty()) {
            throw new IOException(directory + ": the directory lists no network map" + (leftOut.isEmpty() ? ""
                    : " on its own server (left out: " + new TreeSet<>(leftOut) + ")"));
        }
        for (InformationResource r : ird.resources().values()) {
            if (r.accepts() == null && r.mediaType().equals(MediaTypes.COST_MAP)) {
                URI uri = resolve(r);
                if (uri == null) {
                    continue;
                }
                UpstreamDocuments.Fetched<CostMap> c = documents.fetch(r.id(), uri,
                        (body, bytesTag) -> AltoJson.readCostMap(body, new VersionTag(r.id(), bytesTag)));
                changed |= c.changed();
                if (leftOut.contains(c.map().dependentVtag().resourceId())) {
                    skipOnce(r.id(), "depends on network map " + c.map().dependentVtag().resourceId()
                            + ", which is on another server");
                    continue;
                }
                costMaps.put(c.map().vtag().resourceId(), consistent(c.map(), networkMaps, r));
            }
        }
        MapSet maps = new MapSet(networkMaps, costMaps, Map.of(), defaultMap(ird, networkMaps));
        documents.endRound();
        if (!changed && last != null && sameMaps(last, maps)) {
            return last;
        }
        last = maps;
        return maps;
    }

    /** Refuses a directory that lists more maps than one load may read. */
    private void checkCount(Directory ird) throws IOException {
        int maps = 0;
        for (InformationResource r : ird.resources().values()) {
            if (r.accepts() == null && (r.mediaType().equals(MediaTypes.NETWORK_MAP)
                    || r.mediaType().equals(MediaTypes.COST_MAP))) {
                maps++;
            }
        }
        if (maps > limits.maxDocuments()) {
            throw new IOException(directory + ": the directory lists " + maps + " maps, over the limit of "
                    + limits.maxDocuments() + " (--max-maps-documents)");
        }
    }

    private static boolean sameMaps(MapSet a, MapSet b) {
        return Objects.equals(a.defaultNetworkMap(), b.defaultNetworkMap())
                && sameEntries(a.networkMaps(), b.networkMaps()) && sameEntries(a.costMaps(), b.costMaps());
    }

    /** The same keys, each with the very same map. */
    private static <T> boolean sameEntries(Map<String, T> a, Map<String, T> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, T> e : a.entrySet()) {
            if (e.getValue() != b.get(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    private CostMap consistent(CostMap c, Map<String, NetworkMap> networkMaps, InformationResource r) throws IOException {
        NetworkMap net = networkMaps.get(c.dependentVtag().resourceId());
        if (net == null) {
            throw new IOException(r.id() + ": depends on network map " + c.dependentVtag().resourceId()
                    + ", which the directory does not list");
        }
        if (!Objects.equals(net.vtag().tag(), c.dependentVtag().tag())) {
            throw new IOException(r.id() + ": depends on version " + c.dependentVtag().tag() + " of "
                    + net.vtag().resourceId() + " but " + net.vtag().tag() + " was read (the server changed); next time");
        }
        try {
            c.checkAgainst(net);
        } catch (AltoException e) {
            throw new IOException(r.id() + ": " + e.getMessage(), e);
        }
        return c;
    }

    private static String defaultMap(Directory ird, Map<String, NetworkMap> networkMaps) {
        if (ird.defaultNetworkMap() != null && networkMaps.containsKey(ird.defaultNetworkMap())) {
            return ird.defaultNetworkMap();
        }
        return networkMaps.containsKey("default-network-map") ? "default-network-map" : networkMaps.keySet().iterator().next();
    }

    /**
     * The URI of {@code r}, or null (logged the first time) when it is on another server than the
     * directory: another scheme, host or port, a port left out being the scheme's default.
     */
    private URI resolve(InformationResource r) {
        URI u = directory.resolve(r.uri());
        if (!sameServer(u, directory)) {
            skipOnce(r.id(), "resources." + r.id() + ".uri: " + u + " is on another server than the directory");
            return null;
        }
        return u;
    }

    private void skipOnce(String id, String why) {
        if (elsewhere.add(id + " " + why)) {
            log.warn("signing front: {} left out: {}", id, why);
        }
    }

    /** Whether {@code a} and {@code b} name one server: scheme, host (any case) and port (defaults filled in). */
    static boolean sameServer(URI a, URI b) {
        String scheme = a.getScheme();
        return scheme != null && scheme.equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && UpstreamConfig.port(a) == UpstreamConfig.port(b);
    }

    /** 32 hex digits of SHA-256 over the document's canonical form: a changed map gets a new tag. */
    private static String tag(JsonNode doc) {
        return HexFormat.of().formatHex(ContentDigest.sha256Raw(Jcs.canonicalize(doc)), 0, 16);
    }

    @Override
    public void close() {
        documents.close();
    }
}

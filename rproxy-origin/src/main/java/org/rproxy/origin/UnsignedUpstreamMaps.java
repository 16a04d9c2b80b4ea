package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
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
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.UpstreamClient;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * The signing front's source: reads an existing, unsigned RFC 7285 ALTO server —
 * its directory, then every full network map and cost map the directory lists — and hands the
 * origin a validated {@link MapSet} to sign and serve. Nothing it reads is trusted further than
 * the maps' own validation: the front signs what its operator's own server says.
 *
 * <p>A cost map gets the directory's resource id and a version tag hashed from its canonical
 * bytes (RFC 7285 cost maps carry no vtag). A snapshot in which a cost map depends on another
 * version of its network map than the one read (the server changed between two requests) is
 * refused with an {@link IOException}, and the origin keeps the previous maps until the next
 * load. Resources on other servers than the directory's are not followed. Blocking; runs on the
 * origin's publishing thread.
 */
public final class UnsignedUpstreamMaps implements MapSource, AutoCloseable {
    private final URI directory;
    private final UpstreamClient client;
    private final Duration timeout;

    private UnsignedUpstreamMaps(URI directory, UpstreamClient client, Duration timeout) {
        this.directory = directory;
        this.client = client;
        this.timeout = timeout;
    }

    /**
     * @param directoryUrl the server's IRD, e.g. {@code http://alto.example:8080/directory}
     * @param ca           PEM certificates to trust for an https server, or null for the JDK's
     * @param timeout      how long one request may take
     */
    public static UnsignedUpstreamMaps connect(URI directoryUrl, Path ca, Duration timeout) {
        requireNonNull(directoryUrl, "directoryUrl");
        requireNonNull(timeout, "timeout");
        UpstreamClient client = UpstreamClient.start(UpstreamClient.Settings.of(directoryUrl, ca, 2, timeout, 256 << 20));
        return new UnsignedUpstreamMaps(directoryUrl, client, timeout);
    }

    @Override
    public MapSet load() throws IOException {
        Directory ird = read(directory, "directory", AltoJson::readDirectory);
        Map<String, NetworkMap> networkMaps = new TreeMap<>();
        Map<String, CostMap> costMaps = new TreeMap<>();
        for (InformationResource r : ird.resources().values()) {
            if (r.accepts() == null && r.mediaType().equals(MediaTypes.NETWORK_MAP)) {
                NetworkMap m = read(resolve(r), r.id(), doc -> AltoJson.readNetworkMap(doc, new VersionTag(r.id(), tag(doc))));
                networkMaps.put(m.vtag().resourceId(), m);
            }
        }
        if (networkMaps.isEmpty()) {
            throw new IOException(directory + ": the directory lists no network map");
        }
        for (InformationResource r : ird.resources().values()) {
            if (r.accepts() == null && r.mediaType().equals(MediaTypes.COST_MAP)) {
                CostMap c = read(resolve(r), r.id(), doc -> AltoJson.readCostMap(doc, new VersionTag(r.id(), tag(doc))));
                costMaps.put(c.vtag().resourceId(), consistent(c, networkMaps, r));
            }
        }
        return new MapSet(networkMaps, costMaps, Map.of(), defaultMap(ird, networkMaps));
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

    private URI resolve(InformationResource r) throws IOException {
        URI u = directory.resolve(r.uri());
        if (!Objects.equals(u.getHost(), directory.getHost()) || u.getPort() != directory.getPort()
                || !u.getScheme().equalsIgnoreCase(directory.getScheme())) {
            throw new IOException("resources." + r.id() + ".uri: " + u + " is on another server than the directory");
        }
        return u;
    }

    private interface Reader<T> {
        T read(JsonNode doc);
    }

    private <T> T read(URI uri, String what, Reader<T> reader) throws IOException {
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        UpstreamResponse r = get(target);
        if (r.status() != 200) {
            throw new IOException("GET " + uri + ": status " + r.status());
        }
        try {
            return reader.read(AltoJson.parse(r.body().unsafeArray()));
        } catch (AltoException e) {
            String field = e.error().field();
            throw new IOException(uri + " (" + what + "): " + (field == null || e.error().message().startsWith(field)
                    ? "" : field + ": ") + e.error().message(), e);
        }
    }

    private UpstreamResponse get(String target) throws IOException {
        try {
            return client.send(UpstreamRequest.get(target, List.of(new HeaderField("accept-encoding", "identity"),
                    new HeaderField("user-agent", "rproxy signing front"))))
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("GET " + target + " from " + directory.getAuthority() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("GET " + target + " from " + directory.getAuthority() + ": no answer", e);
        }
    }

    /** 32 hex digits of SHA-256 over the document's canonical form: a changed map gets a new tag. */
    private static String tag(JsonNode doc) {
        return HexFormat.of().formatHex(ContentDigest.sha256Raw(Jcs.canonicalize(doc)), 0, 16);
    }

    @Override
    public void close() {
        client.close();
    }
}

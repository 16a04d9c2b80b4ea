package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.origin.MapsFolder;

/**
 * A plain RFC 7285 ALTO server with no signatures, standing for an ISP's existing ALTO server
 * under a signing front: it serves a directory, every network map ({@code /networkmap/<id>}) and
 * every cost map ({@code /costmap/<id>}) of a maps folder, read again whenever a file of the
 * folder changed, so the harness's churn reaches it as edits reach a real server's database.
 *
 * <p>Reading and rendering run on its own worker thread, never on the event loop.
 */
final class UnsignedServer implements AutoCloseable {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Path maps;
    private final ExecutorService worker;
    private final AltoHttpServer server;
    /** The rendered documents and the folder stamp they were read at; worker thread only. */
    private Map<String, Rendered> documents = Map.of();
    private String stamp = "";

    private record Rendered(String mediaType, Bytes body) {
    }

    private UnsignedServer(Path maps) {
        this.maps = requireNonNull(maps, "maps");
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "harness-unsigned-server");
            t.setDaemon(true);
            return t;
        });
        this.server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), this::handle);
    }

    static UnsignedServer start(Path maps) {
        return new UnsignedServer(maps);
    }

    /** The directory's URL, as a signing front is given it. */
    String directoryUrl() {
        return "http://127.0.0.1:" + server.localAddress().getPort() + "/directory";
    }

    private CompletionStage<Reply> handle(AltoRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return CompletableFuture.completedFuture(new Reply.Error(AltoError.invalidValue("method", request.method(),
                    "only GET and HEAD").withStatus(405), Dialect.JSON, "GET, HEAD"));
        }
        return CompletableFuture.supplyAsync(() -> answer(request.path()), worker);
    }

    private Reply answer(String path) {
        Rendered r = current().get(path);
        if (r == null) {
            return Reply.error(AltoError.invalidValue("uri", path, "no such resource").withStatus(404), Dialect.JSON);
        }
        Instant now = Instant.now();
        Variant v = new Variant(r.body(), null, List.of(new HeaderField("content-type", r.mediaType())));
        return Reply.ok(new Representation(v, null, 0, now, now.plusSeconds(60)));
    }

    /** The folder's documents, read again when a file's size or time changed. */
    private Map<String, Rendered> current() {
        String now = stamp();
        if (!now.equals(stamp)) {
            try {
                documents = render(MapsFolder.load(maps));
                stamp = now;
            } catch (IOException | RuntimeException e) {
                // Mid-write: serve the previous version, as a server in the middle of an update would.
            }
        }
        return documents;
    }

    private String stamp() {
        try (Stream<Path> files = Files.list(maps)) {
            StringBuilder s = new StringBuilder();
            files.sorted().forEach(f -> {
                try {
                    s.append(f.getFileName()).append(' ').append(Files.size(f)).append(' ')
                            .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return s.toString();
        } catch (IOException | UncheckedIOException e) {
            return stamp;
        }
    }

    private static Map<String, Rendered> render(MapSet set) {
        ObjectNode costTypes = NODES.objectNode();
        ObjectNode resources = NODES.objectNode();
        Map<String, Rendered> out = new java.util.HashMap<>();
        set.networkMaps().forEach((id, map) -> {
            resources.putObject(id).put("uri", "/networkmap/" + id).put("media-type", MediaTypes.NETWORK_MAP);
            out.put("/networkmap/" + id, json(MediaTypes.NETWORK_MAP, AltoJson.writeNetworkMap(map)));
        });
        set.costMaps().forEach((id, map) -> {
            String typeName = map.costType().mode().wireName() + "-" + map.costType().metric();
            costTypes.set(typeName, AltoJson.writeCostType(map.costType()));
            ObjectNode r = resources.putObject(id).put("uri", "/costmap/" + id).put("media-type", MediaTypes.COST_MAP);
            r.putObject("capabilities").putArray("cost-type-names").add(typeName);
            r.putArray("uses").add(map.dependentVtag().resourceId());
            out.put("/costmap/" + id, json(MediaTypes.COST_MAP, unversioned(map)));
        });
        ObjectNode dir = NODES.objectNode();
        ObjectNode meta = dir.putObject("meta");
        meta.set("cost-types", costTypes);
        meta.put("default-alto-network-map", set.defaultMap().vtag().resourceId());
        dir.set("resources", resources);
        out.put("/directory", json(MediaTypes.DIRECTORY, dir));
        return Map.copyOf(out);
    }

    /** RFC 7285 cost maps carry no vtag of their own, only the network map's they depend on. */
    private static ObjectNode unversioned(CostMap map) {
        return AltoJson.writeCostMap(map, false);
    }

    private static Rendered json(String type, ObjectNode doc) {
        return new Rendered(type, Bytes.wrap(Jcs.canonicalize(doc)));
    }

    @Override
    public void close() {
        server.close();
        worker.shutdownNow();
    }
}

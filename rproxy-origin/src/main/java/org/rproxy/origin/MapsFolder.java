package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.NetworkMap;

/**
 * Reads a maps folder: every {@code *.json} file is an RFC 7285 document whose kind is told by
 * its top-level member ({@code network-map}, {@code cost-map}, {@code endpoint-properties}).
 *
 * <p>The resource id comes from {@code meta.vtag.resource-id}, else from the file name; the tag
 * from {@code meta.vtag.tag}, else from a hash of the document's canonical (JCS) bytes, so a
 * changed file always gets a new tag. A cost map's {@code dependent-vtags} may omit the tag:
 * it is filled in from the network map it names. Any problem is reported as a
 * {@link MapsFolderException} naming the file, the field and the reason. Each file is read as a
 * stream with a size limit ({@link MapsFile}). Runs on the caller's
 * thread (start-up, or the folder watcher), never on an event loop.
 */
public final class MapsFolder {

    private MapsFolder() {
    }

    /**
     * The default size limit of one maps file: twice the largest cost map of the project's
     * benchmarks (2,000 PIDs, 4 million costs, 61 MB), which parses into about 32 MB.
     */
    public static final long DEFAULT_MAX_FILE_BYTES = 128L << 20;

    /** Loads and validates every document of {@code dir}, each file at most {@link #DEFAULT_MAX_FILE_BYTES}. */
    public static MapSet load(Path dir) throws IOException {
        return load(dir, DEFAULT_MAX_FILE_BYTES);
    }

    /** Loads and validates every document of {@code dir}; a file larger than {@code maxFileBytes} is refused. */
    public static MapSet load(Path dir, long maxFileBytes) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new MapsFolderException(dir + ": not a folder");
        }
        Map<String, NetworkMap> networkMaps = new TreeMap<>();
        Map<String, Path> origins = new HashMap<>();
        Map<Path, MapsFile.Read> costFiles = new TreeMap<>();
        Map<String, EndpointProperties> props = new TreeMap<>();
        for (Path file : jsonFiles(dir)) {
            MapsFile.Read r = MapsFile.read(file, maxFileBytes);
            ObjectNode doc = r.doc().members();
            if (doc.has("network-map")) {
                NetworkMap map = read(file, () -> AltoJson.readNetworkMap(withVtag(doc, file, contentTag(doc)), null));
                claim(origins, map.vtag().resourceId(), file);
                networkMaps.put(map.vtag().resourceId(), map);
            } else if (doc.has("endpoint-properties")) {
                EndpointProperties p = read(file, () -> AltoJson.readEndpointProperties(
                        withVtag(doc, file, contentTag(doc)), null));
                claim(origins, p.vtag().resourceId(), file);
                props.put(p.vtag().resourceId(), p);
            } else if (r.doc().costs() != null) {
                costFiles.put(file, r);
            } else {
                throw new MapsFolderException(file + ": not an ALTO document"
                        + " (expected a top-level network-map, cost-map or endpoint-properties member)");
            }
        }
        if (networkMaps.isEmpty()) {
            throw new MapsFolderException(dir + ": no network map (a *.json file with a network-map member)");
        }
        Map<String, CostMap> costMaps = new TreeMap<>();
        for (Map.Entry<Path, MapsFile.Read> f : costFiles.entrySet()) {
            CostMap map = readCostMap(f.getKey(), f.getValue(), networkMaps);
            claim(origins, map.vtag().resourceId(), f.getKey());
            costMaps.put(map.vtag().resourceId(), map);
        }
        return new MapSet(networkMaps, costMaps, props, chooseDefault(dir, networkMaps));
    }

    /**
     * The cost map of a streamed file. Its costs were never a tree, so a tag it does not give is
     * a hash of the file's bytes (not of the canonical form, as for the small documents): a
     * change that only reformats the file also makes a new version, which costs one re-signing.
     */
    private static CostMap readCostMap(Path file, MapsFile.Read r, Map<String, NetworkMap> networkMaps) {
        ObjectNode copy = withVtag(r.doc().members(), file, r.bytesTag());
        JsonNode deps = copy.path("meta").path("dependent-vtags");
        if (deps instanceof ArrayNode arr && arr.size() == 1 && arr.get(0) instanceof ObjectNode dep) {
            NetworkMap target = networkMaps.get(dep.path("resource-id").asText(""));
            if (target == null) {
                throw new MapsFolderException(file + ": meta.dependent-vtags[0].resource-id: no network map named '"
                        + dep.path("resource-id").asText("") + "' in the folder (have: " + networkMaps.keySet() + ")");
            }
            if (!dep.has("tag")) {
                dep.put("tag", target.vtag().tag());
            } else if (!dep.path("tag").asText("").equals(target.vtag().tag())) {
                throw new MapsFolderException(file + ": meta.dependent-vtags[0].tag: '" + dep.path("tag").asText("")
                        + "' is not the current tag of " + target.vtag().resourceId() + " ('" + target.vtag().tag()
                        + "'); omit the tag to follow the network map");
            }
        }
        CostMap map = read(file, () -> AltoJson.buildCostMap((ObjectNode) copy.get("meta"), r.doc().costs(), null));
        read(file, () -> {
            map.checkAgainst(networkMaps.get(map.dependentVtag().resourceId()));
            return map;
        });
        return map;
    }

    /** The document with {@code meta.vtag} completed from the file name and the content hash. */
    private static ObjectNode withVtag(JsonNode doc, Path file, String contentTag) {
        ObjectNode copy = ((ObjectNode) doc).deepCopy();
        JsonNode meta = copy.get("meta");
        if (meta != null && !meta.isObject()) {
            throw new MapsFolderException(file + ": meta: expected an object");
        }
        ObjectNode m = meta == null ? copy.putObject("meta") : (ObjectNode) meta;
        JsonNode vt = m.get("vtag");
        if (vt != null && !vt.isObject()) {
            throw new MapsFolderException(file + ": meta.vtag: expected an object");
        }
        ObjectNode vtag = vt == null ? m.putObject("vtag") : (ObjectNode) vt;
        if (!vtag.has("resource-id")) {
            String id = baseName(file);
            if (!Identifiers.isId(id)) {
                throw new MapsFolderException(file + ": the file name '" + id + "' is not a valid resource id"
                        + " (1-64 of [A-Za-z0-9-:@_.]); rename the file or set meta.vtag.resource-id");
            }
            vtag.put("resource-id", id);
        }
        if (!vtag.has("tag")) {
            vtag.put("tag", contentTag);
        }
        return copy;
    }

    /** 32 hex digits of SHA-256 over the canonical form of the document as written. */
    static String contentTag(JsonNode doc) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(Jcs.canonicalize(doc));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String chooseDefault(Path dir, Map<String, NetworkMap> networkMaps) {
        if (networkMaps.size() == 1) {
            return networkMaps.keySet().iterator().next();
        }
        if (networkMaps.containsKey("default-network-map")) {
            return "default-network-map";
        }
        throw new MapsFolderException(dir + ": several network maps " + networkMaps.keySet()
                + " and none is named default-network-map; name the default one so");
    }

    private static void claim(Map<String, Path> origins, String id, Path file) {
        Path prev = origins.putIfAbsent(id, file);
        if (prev != null) {
            throw new MapsFolderException(file + ": resource id '" + id + "' is also used by " + prev.getFileName());
        }
    }

    /** The names of the files {@link #load} reads in {@code dir}. */
    static Set<String> jsonFileNames(Path dir) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path p : jsonFiles(dir)) {
            names.add(p.getFileName().toString());
        }
        return names;
    }

    private static List<Path> jsonFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        return files;
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    private interface Reader<T> {
        T read();
    }

    private static <T> T read(Path file, Reader<T> reader) {
        try {
            return reader.read();
        } catch (AltoException e) {
            throw new MapsFolderException(file + ": " + describe(e), e);
        }
    }

    static String describe(AltoException e) {
        String msg = e.error().message();
        String field = e.error().field();
        return field == null || msg.startsWith(field) ? msg : field + ": " + msg;
    }

    /** A maps folder that cannot be served; the message names the file, the field and the reason. */
    public static final class MapsFolderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MapsFolderException(String message) {
            super(message);
        }

        MapsFolderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

}

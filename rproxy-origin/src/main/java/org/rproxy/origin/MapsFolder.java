package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.EndpointProperties;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.NetworkMap;

/**
 * Reads a maps folder: every {@code *.json} file is an RFC 7285 document whose kind is told by
 * its top-level member ({@code network-map}, {@code cost-map}, {@code endpoint-properties}).
 *
 * <p>The resource id comes from {@code meta.vtag.resource-id}, else from the file name; the tag
 * from {@code meta.vtag.tag}, else from a hash of the document's canonical (JCS) bytes, so a
 * changed file always gets a new tag. A cost map's {@code dependent-vtags} may omit the tag:
 * it is filled in from the network map it names, and the cost map's own tag (which the file
 * must then leave out) is hashed from the file and that tag, so that no two versions served
 * share a tag (RFC 7285 §10.3; {@link CostMapFile}). Problems are reported together, as one
 * {@link MapsFolderException} naming for each the file, the field and the reason. Each file is
 * read as a stream with a size limit ({@link MapsFile}), the folder as a whole within
 * {@link MapsLimits}. A folder that changes while it is read is not loaded: the files are stamped
 * before and after ({@link FolderStamp}). Runs on the caller's thread (start-up, or the folder
 * watcher), never on an event loop.
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

    /**
     * Loads and validates every document of {@code dir}; a file larger than {@code maxFileBytes} is
     * refused. A folder with problems is refused with all of them at once: each file is read
     * whatever became of the others, and the {@link MapsFolderException} lists one problem per
     * file that failed (the first the file's reader met) and each folder-wide one. What only
     * follows from a refused file is left out: a cost map whose network map is refused (or may be
     * the file that could not be read) is not checked against it, and the folder is not said to
     * lack a network map or a default one while one is refused. A folder in which a file was
     * written to, replaced, added or removed while it was read is refused with an
     * {@link IOException} saying so (read it again once it is quiet), never loaded as a mix.
     */
    public static MapSet load(Path dir, long maxFileBytes) throws IOException {
        return load(dir, maxFileBytes, MapsLimits.defaults());
    }

    /**
     * As {@link #load(Path, long)}, within {@code limits} too: a folder with more files or more
     * bytes than they allow is refused before any file is read, a network map or endpoint
     * properties file over the tree limit as soon as it passes it.
     */
    public static MapSet load(Path dir, long maxFileBytes, MapsLimits limits) throws IOException {
        return load(dir, maxFileBytes, limits, Files::newInputStream).maps();
    }

    /**
     * Maps loaded, and the folder they were read from ({@link FolderStamp}): the files read, which
     * stayed the same from before the first was opened until after the last was read.
     */
    record Loaded(MapSet maps, FolderStamp stamp) {
    }

    /**
     * As {@link #load(Path, long, MapsLimits)}, each file opened by {@code opener}, and with the folder's stamp.
     * The folder is stamped before any file is read and again after the last: when a file was
     * written to, replaced, added or removed meanwhile, what was read (the old beginning of a file
     * and its new end, or the cost map of one deploy and the network map of the next) is thrown
     * away with {@link FolderStamp.Changed}, also when it did not validate.
     */
    static Loaded load(Path dir, long maxFileBytes, MapsLimits limits, MapsFile.Opener opener) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new MapsFolderException(dir + ": not a folder");
        }
        FolderStamp stamp = FolderStamp.of(dir);
        MapSet maps;
        try {
            stamp.checkWithin(dir, limits);
            maps = loadFiles(dir, stamp.paths(dir), maxFileBytes, limits.maxTreeBytes(), opener);
        } catch (MapsFolderException e) {
            stamp.checkUnchanged(dir, e);
            throw e;
        }
        stamp.checkUnchanged(dir, null);
        return new Loaded(maps, stamp);
    }

    private static MapSet loadFiles(Path dir, List<Path> files, long maxFileBytes, long maxTreeBytes,
                                    MapsFile.Opener opener) {
        List<MapsFolderException> problems = new ArrayList<>();
        Map<String, NetworkMap> networkMaps = new TreeMap<>();
        Map<String, Path> origins = new HashMap<>();
        Map<Path, MapsFile.Read> costFiles = new TreeMap<>();
        Map<String, EndpointProperties> props = new TreeMap<>();
        Set<String> refusedMaps = new TreeSet<>(); // ids of network maps a refused file may hold
        for (Path file : files) {
            collect(problems, file, () -> {
                refusedMaps.add(VtagFill.baseName(file));
                MapsFile.Read r = MapsFile.read(file, maxFileBytes, maxTreeBytes, opener);
                ObjectNode doc = r.doc().members();
                refusedMaps.remove(VtagFill.baseName(file));
                if (doc.has("network-map")) {
                    String meant = doc.path("meta").path("vtag").path("resource-id").asText(VtagFill.baseName(file));
                    refusedMaps.add(meant);
                    NetworkMap map = read(file, () -> AltoJson.readNetworkMap(
                            VtagFill.withVtag(doc, file, VtagFill.contentTag(doc)), null));
                    claim(origins, map.vtag().resourceId(), file);
                    networkMaps.put(map.vtag().resourceId(), map);
                    refusedMaps.remove(meant);
                } else if (doc.has("endpoint-properties")) {
                    EndpointProperties p = read(file, () -> AltoJson.readEndpointProperties(
                            VtagFill.withVtag(doc, file, VtagFill.contentTag(doc)), null));
                    claim(origins, p.vtag().resourceId(), file);
                    props.put(p.vtag().resourceId(), p);
                } else if (r.doc().costs() != null) {
                    costFiles.put(file, r);
                } else {
                    throw new MapsFolderException(file + ": not an ALTO document"
                            + " (expected a top-level network-map, cost-map or endpoint-properties member)");
                }
            });
        }
        Map<String, CostMap> costMaps = new TreeMap<>();
        for (Map.Entry<Path, MapsFile.Read> f : costFiles.entrySet()) {
            String dependency = f.getValue().doc().members().path("meta").path("dependent-vtags").path(0)
                    .path("resource-id").asText("");
            if (!networkMaps.containsKey(dependency) && refusedMaps.contains(dependency)) {
                continue;
            }
            collect(problems, f.getKey(), () -> {
                CostMap map = CostMapFile.read(f.getKey(), f.getValue(), networkMaps);
                claim(origins, map.vtag().resourceId(), f.getKey());
                costMaps.put(map.vtag().resourceId(), map);
            });
        }
        FolderRules.check(dir, networkMaps.keySet(), costMaps, props.keySet(), origins, problems);
        String defaultMap = null;
        if (networkMaps.isEmpty() && refusedMaps.isEmpty()) {
            problems.add(new MapsFolderException(dir + ": no network map (a *.json file with a network-map member)"));
        } else if (refusedMaps.isEmpty()) { // which one is the default waits for a refused one
            try {
                defaultMap = FolderRules.chooseDefault(dir, networkMaps.keySet());
            } catch (MapsFolderException e) {
                problems.add(e);
            }
        }
        if (!problems.isEmpty()) {
            throw MapsFolderException.of(problems);
        }
        return new MapSet(networkMaps, costMaps, props, defaultMap);
    }

    private interface FileStep {
        void run() throws IOException;
    }

    /** Runs one file's step; its problem (a bad document, or a file that cannot be read) joins the others. */
    private static void collect(List<MapsFolderException> problems, Path file, FileStep step) {
        try {
            step.run();
        } catch (MapsFolderException e) {
            problems.add(e);
        } catch (IOException e) {
            problems.add(new MapsFolderException(file + ": cannot read: " + IoProblems.reason(e), e));
        }
    }

    private static void claim(Map<String, Path> origins, String id, Path file) {
        Path prev = origins.putIfAbsent(id, file);
        if (prev != null) {
            throw new MapsFolderException(file + ": resource id '" + id + "' is also used by " + prev.getFileName());
        }
    }

    /** Reads a document (a step that may throw {@link AltoException}, the model's refusal). */
    interface Reader<T> {
        T read();
    }

    /** {@code reader}'s document, or its refusal as a problem naming {@code file}. */
    static <T> T read(Path file, Reader<T> reader) {
        try {
            return reader.read();
        } catch (AltoException e) {
            throw new MapsFolderException(file + ": " + describe(e), e);
        }
    }

    /** The refusal's message, after the field at fault unless it names it already. */
    static String describe(AltoException e) {
        String msg = e.error().message();
        String field = e.error().field();
        return field == null || msg.startsWith(field) ? msg : field + ": " + msg;
    }

    /**
     * A maps folder that cannot be served. Each problem names the file, the field and the reason;
     * the message is the problems, one a line.
     */
    public static final class MapsFolderException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final List<String> problems;

        MapsFolderException(String message) {
            this(message, null);
        }

        MapsFolderException(String message, Throwable cause) {
            super(message, cause);
            this.problems = List.of(message);
        }

        private MapsFolderException(List<String> problems, Throwable cause) {
            super(String.join("\n", problems), cause);
            this.problems = List.copyOf(problems);
        }

        /** One exception for them all: the single one itself, or one listing each (the first's cause kept). */
        static MapsFolderException of(List<MapsFolderException> all) {
            if (all.size() == 1) {
                return all.get(0);
            }
            List<String> lines = new ArrayList<>();
            for (MapsFolderException e : all) {
                lines.addAll(e.problems());
            }
            return new MapsFolderException(lines, all.get(0).getCause());
        }

        /** Each problem: "file: field: reason" (or "folder: reason"), in file-name order, folder-wide ones last. */
        public List<String> problems() {
            return problems;
        }
    }
}

package org.rproxy.harness.churn;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.rproxy.harness.topology.AtomicFile;

/**
 * A network map file held as PID → (family → prefixes), in file order, so that a prefix can be
 * moved between PIDs and the file written back atomically with everything else unchanged.
 * Single-threaded.
 */
final class NetworkMapFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path file;
    final JsonNode meta;
    /** PID → family ({@code ipv4}, {@code ipv6}) → prefixes. */
    final Map<String, Map<String, List<String>>> pids;

    private NetworkMapFile(Path file, JsonNode meta, Map<String, Map<String, List<String>>> pids) {
        this.file = file;
        this.meta = meta;
        this.pids = pids;
    }

    static NetworkMapFile read(Path file) throws IOException {
        JsonNode doc = JSON.readTree(Files.readAllBytes(file));
        JsonNode map = doc.get("network-map");
        if (map == null || !map.isObject()) {
            throw new IOException(file + ": no network-map object");
        }
        Map<String, Map<String, List<String>>> pids = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Map<String, List<String>> families = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> f = e.getValue().properties().iterator(); f.hasNext(); ) {
                Map.Entry<String, JsonNode> fam = f.next();
                List<String> prefixes = new ArrayList<>();
                fam.getValue().forEach(v -> prefixes.add(v.asText()));
                families.put(fam.getKey(), prefixes);
            }
            pids.put(e.getKey(), families);
        }
        return new NetworkMapFile(file, doc.get("meta"), pids);
    }

    void write() throws IOException {
        AtomicFile.write(file, this::writeTo);
    }

    private void writeTo(Writer out) throws IOException {
        out.write("{");
        if (meta != null) {
            out.write("\"meta\":" + JSON.writeValueAsString(meta) + ",");
        }
        out.write("\n\"network-map\":{\n");
        boolean first = true;
        for (Map.Entry<String, Map<String, List<String>>> e : pids.entrySet()) {
            out.write(first ? "" : ",\n");
            first = false;
            out.write(JSON.writeValueAsString(e.getKey()) + ":" + JSON.writeValueAsString(e.getValue()));
        }
        out.write("\n}}\n");
    }
}

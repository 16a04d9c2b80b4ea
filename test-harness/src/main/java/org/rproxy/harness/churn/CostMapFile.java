package org.rproxy.harness.churn;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.rproxy.harness.topology.AtomicFile;

/**
 * A cost map file held as a dense matrix, read and written as a stream so that a 2,000-PID map
 * (4,000,000 entries) costs 32 MB of doubles rather than a JSON tree. {@code meta} is kept as it
 * was read and written back unchanged. Missing pairs are {@code NaN} and stay missing.
 * Single-threaded.
 */
final class CostMapFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path file;
    final JsonNode meta;
    final String metric;
    final boolean ordinal;
    final List<String> pids;
    final double[] costs;

    private CostMapFile(Path file, JsonNode meta, List<String> pids, double[] costs) {
        this.file = file;
        this.meta = meta;
        this.metric = meta.path("cost-type").path("cost-metric").asText("");
        this.ordinal = "ordinal".equals(meta.path("cost-type").path("cost-mode").asText(""));
        this.pids = pids;
        this.costs = costs;
    }

    int size() {
        return pids.size();
    }

    double get(int src, int dst) {
        return costs[src * pids.size() + dst];
    }

    void set(int src, int dst, double v) {
        costs[src * pids.size() + dst] = v;
    }

    static CostMapFile read(Path file) throws IOException {
        JsonNode meta = null;
        List<String> srcs = new ArrayList<>();
        List<Map<String, Double>> rows = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); JsonParser p = new JsonFactory().createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, file);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("meta")) {
                    meta = JSON.readTree(p);
                } else if (name.equals("cost-map")) {
                    readRows(p, srcs, rows, file);
                } else {
                    p.skipChildren();
                }
            }
        }
        if (meta == null) {
            throw new IOException(file + ": no meta");
        }
        return dense(file, meta, srcs, rows);
    }

    /** Rows are read into small maps first because destinations need not be listed in source order. */
    private static void readRows(JsonParser p, List<String> srcs, List<Map<String, Double>> rows, Path file) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT, file);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            srcs.add(p.currentName());
            expect(p.nextToken(), JsonToken.START_OBJECT, file);
            Map<String, Double> row = new HashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String dst = p.currentName();
                p.nextToken();
                row.put(dst, p.getDoubleValue());
            }
            rows.add(row);
        }
    }

    private static CostMapFile dense(Path file, JsonNode meta, List<String> srcs, List<Map<String, Double>> rows) {
        List<String> pids = new ArrayList<>(srcs);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < pids.size(); i++) {
            index.put(pids.get(i), i);
        }
        rows.forEach(r -> r.keySet().forEach(d -> index.computeIfAbsent(d, k -> {
            pids.add(k);
            return pids.size() - 1;
        })));
        int n = pids.size();
        double[] costs = new double[n * n];
        java.util.Arrays.fill(costs, Double.NaN);
        for (int s = 0; s < rows.size(); s++) {
            int row = s;
            rows.get(s).forEach((d, v) -> costs[row * n + index.get(d)] = v);
        }
        return new CostMapFile(file, meta, List.copyOf(pids), costs);
    }

    private static void expect(JsonToken got, JsonToken want, Path file) throws IOException {
        if (got != want) {
            throw new IOException(file + ": expected " + want + " but found " + got);
        }
    }

    /** Writes the map back atomically, one source row per line. */
    void write() throws IOException {
        AtomicFile.write(file, this::writeTo);
    }

    private void writeTo(Writer out) throws IOException {
        out.write("{\"meta\":");
        out.write(JSON.writeValueAsString(meta));
        out.write(",\n\"cost-map\":{\n");
        int n = pids.size();
        boolean firstRow = true;
        for (int s = 0; s < n; s++) {
            boolean any = false;
            for (int d = 0; d < n; d++) {
                double v = costs[s * n + d];
                if (Double.isNaN(v)) {
                    continue;
                }
                if (!any) {
                    out.write(firstRow ? "" : ",\n");
                    out.write(JSON.writeValueAsString(pids.get(s)));
                    out.write(":{");
                    firstRow = false;
                } else {
                    out.write(',');
                }
                any = true;
                out.write(JSON.writeValueAsString(pids.get(d)));
                out.write(':');
                out.write(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v));
            }
            if (any) {
                out.write('}');
            }
        }
        out.write("\n}}\n");
    }
}

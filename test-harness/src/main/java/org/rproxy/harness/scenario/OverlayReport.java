package org.rproxy.harness.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The {@code overlay} scenario's {@code report.json} (settings and verdict lines) and a
 * self-contained {@code report.html} of the same; the per-peer samples are in {@code peers.csv}
 * beside them. Written on the scenario's thread.
 */
final class OverlayReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OverlayReport() {
    }

    static void write(Path dir, OverlaySettings s, List<Check> checks) throws IOException {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("peers", s.peers());
        settings.put("viewers", s.viewers());
        settings.put("window", s.window().toString());
        settings.put("seeding", s.seeding());
        settings.put("budget", s.budget().toString());
        settings.put("maxAge", s.maxAge().toString());
        settings.put("poll", OverlayRun.POLL.toString());
        settings.put("changeLimit", OverlayRun.CHANGE_LIMIT.toString());
        settings.put("peersPerProcess", OverlaySettings.PEERS_PER_PROCESS);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("scenario", "overlay");
        report.put("passed", VerdictTable.passed(checks));
        report.put("settings", settings);
        report.put("checks", checks);
        Files.writeString(dir.resolve("report.json"), JSON.writeValueAsString(report) + "\n", StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>overlay</title>"
                + "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd}"
                + ".FAIL,.NOT_RUN{color:#b00}.PASS{color:#070}</style></head><body>");
        h.append("<h1>overlay: ").append(VerdictTable.passed(checks) ? "PASS" : "FAIL").append("</h1><p>");
        settings.forEach((k, v) -> h.append(esc(k)).append(" ").append(esc(String.valueOf(v))).append("; "));
        h.append("per-peer samples in peers.csv</p><table><tr><th>check</th><th>expected</th><th>measured</th><th>verdict</th></tr>");
        for (Check c : checks) {
            h.append("<tr><td>").append(esc(c.name())).append("</td><td>").append(esc(c.expected())).append("</td><td>")
                    .append(esc(c.measured())).append("</td><td class=\"").append(c.verdict().name()).append("\">")
                    .append(c.verdict().name().replace('_', ' ')).append("</td></tr>");
        }
        h.append("</table></body></html>\n");
        Files.writeString(dir.resolve("report.html"), h, StandardCharsets.UTF_8);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

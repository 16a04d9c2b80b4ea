package org.rproxy.harness.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Writes a run's {@code report.json} and {@code report.html} into a folder. */
public final class ReportFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportFiles() {
    }

    public static String json(RunReport r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (IOException e) {
            throw new IllegalStateException("a report did not serialise", e);
        }
    }

    /** Writes both files and returns the HTML one. */
    public static Path write(RunReport r, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.json"), json(r) + "\n", StandardCharsets.UTF_8);
        Path html = dir.resolve("report.html");
        Files.writeString(html, HtmlReport.render(r), StandardCharsets.UTF_8);
        return html;
    }
}

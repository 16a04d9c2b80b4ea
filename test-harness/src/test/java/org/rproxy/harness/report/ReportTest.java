package org.rproxy.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    static RunReport sample(String title) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("viewers", "1000");
        settings.put("arrival", "flash:10s");
        List<RunReport.Sample> series = new ArrayList<>();
        for (int t = 1; t <= 10; t++) {
            series.add(new RunReport.Sample(t, t * 100, t * 90, 400 + t, 0, 1.5, 9.5, 12));
        }
        return new RunReport(title, "2026-01-01T00:00:00Z", settings, 10.2, 0.4,
                new RunReport.Viewers(1000, 1000, 998, 2, 0),
                4000, 1_234_567, 250, 32, 1, 3, 392.2, new RunReport.Latency(4000, 2.1, 1.5, 4.0, 9.5, 20.1, 25.0),
                new RunReport.Latency(4000, 0.1, 0.05, 0.2, 0.5, 1.0, 2.0),
                new RunReport.Latency(4000, 2.0, 1.4, 3.9, 9.2, 20.0, 24.9),
                new RunReport.Unanswered(2, 0),
                new RunReport.Latency(998, 9, 8, 12, 30, 40, 41),
                List.of(new RunReport.Percentile(0, 0.2), new RunReport.Percentile(50, 1.5), new RunReport.Percentile(99, 9.5),
                        new RunReport.Percentile(99.999, 24.0), new RunReport.Percentile(100, 25.0)),
                2, Map.of("http 504 @ xml cost-row", 2L),
                new RunReport.Verification("all", 2000, 0, 2000, 4, 0, Map.of()),
                new RunReport.OriginLoad("relay", 12, Map.of("GET /directory", 4L, "GET /prop/pid", 8L), 17),
                Map.of("json directory", 500L), Map.of("json directory", 3L),
                Map.of("http://127.0.0.1:8080", Map.of("json directory", 500L)), series);
    }

    /** A run where nobody joined: two viewers failed, one was unfinished. */
    static RunReport nobodyJoined() {
        RunReport r = sample("nobody");
        return new RunReport(r.title(), r.startedAt(), r.settings(), r.seconds(), r.setupSeconds(),
                new RunReport.Viewers(3, 3, 0, 2, 1), r.requests(), r.bytes(), r.notModified(), r.connections(), r.connectFailures(), r.sentAgain(),
                r.requestsPerSecond(), r.requestLatency(), r.queued(), r.server(), r.unanswered(),
                new RunReport.Latency(0, 0, 0, 0, 0, 0, 0), r.percentiles(), r.errorCount(), r.errors(), r.verification(), r.origin(),
                r.requestsByStep(), r.retriesByStep(), r.requestsByTarget(), r.series());
    }

    @Test
    void aJoinLatencyOfNobodyReadsNoneAndSaysWhoIsLeftOut() {
        String html = HtmlReport.render(nobodyJoined());
        assertTrue(html.contains("<th>join latency</th><td>none (n = 0)</td>"), html);
        assertTrue(html.contains("<th>not in the join percentiles</th><td class=\"bad\">2 viewers failed, 1 unfinished at "
                + "the deadline</td>"), html);
        String t = SummaryTable.render(nobodyJoined());
        assertTrue(t.contains("join latency             none (n=0)"), t);
        assertTrue(t.contains("not in the join percentiles 2 viewers failed, 1 unfinished at the deadline"), t);
        String sampled = HtmlReport.render(sample("run"));
        assertTrue(sampled.contains("max 41.00 ms (n = 998)"), "a latency shows its count");
    }

    @Test
    void retriesHaveATableOfTheirOwn() {
        String html = HtmlReport.render(sample("run"));
        int steps = html.indexOf("<h2>Responses by viewer step (any status)</h2>");
        int retries = html.indexOf("<h2>Of those, 503s asked again after their Retry-After, by step</h2>");
        assertTrue(steps > 0 && retries > steps, html);
        assertTrue(html.substring(retries).contains("<td>json directory</td><td class=\"n\">3</td>"), html);
    }

    @Test
    void theJsonHoldsEveryFigureOfTheSummary() throws Exception {
        JsonNode j = new ObjectMapper().readTree(ReportFiles.json(sample("run")));
        for (String f : List.of("title", "startedAt", "settings", "seconds", "viewers", "requests", "bytes", "notModified",
                "connections", "connectFailures", "sentAgain", "requestsPerSecond", "setupSeconds", "requestLatency", "queued", "server", "unanswered", "joinLatency", "percentiles", "errorCount", "errors",
                "verification", "origin", "requestsByStep", "retriesByStep", "series")) {
            assertTrue(j.has(f), f);
        }
        assertEquals(9.5, j.path("requestLatency").path("p99").asDouble());
        assertEquals(20.1, j.path("requestLatency").path("p999").asDouble());
        assertEquals(998, j.path("viewers").path("joined").asLong());
        assertEquals(2, j.path("unanswered").path("failed").asLong());
        assertEquals(2, j.path("errors").path("http 504 @ xml cost-row").asLong());
        assertEquals(12, j.path("origin").path("requests").asLong());
        assertEquals(10, j.path("series").size());
        assertEquals("viewers", j.path("settings").fieldNames().next(), "settings keep their order");
    }

    @Test
    void theHtmlIsSelfContainedWithWellFormedCharts() throws Exception {
        String html = HtmlReport.render(sample("crowd <b>&</b> \"quotes\""));
        assertFalse(html.contains("<script"), "no script");
        assertFalse(Pattern.compile("(src|href)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "nothing fetched");
        assertFalse(html.contains("@import") || html.contains("url("), "no external style");
        assertTrue(html.contains("crowd &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot;"), "the title is escaped");
        Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        int charts = 0;
        while (m.find()) {
            DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new java.io.ByteArrayInputStream(m.group().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertTrue(m.group().contains("<polyline"), "a chart draws its data");
            charts++;
        }
        assertEquals(4, charts, "percentiles, latency over time, throughput, viewers");
        assertTrue(html.contains("http 504 @ xml cost-row"));
        assertTrue(html.contains("it never falls back to another target or the origin"), "the report says viewers do not fall back");
    }

    @Test
    void bothFilesAreWritten() throws Exception {
        Path html = ReportFiles.write(sample("run"), dir.resolve("out"));
        assertTrue(Files.readString(html).startsWith("<!DOCTYPE html>"));
        assertTrue(Files.readString(dir.resolve("out/report.json")).contains("\"requestLatency\""));
    }

    @Test
    void theSummaryTableNamesTheFiguresAUserLooksFor() {
        String t = SummaryTable.render(sample("run"));
        for (String s : List.of("p50 1.50 ms", "p99 9.50 ms", "p99.9 20.10 ms", "max 25.00 ms", "verification failures",
                "origin requests          12 during the run (relay)", "8  GET /prop/pid",
                "before the run         17: the count when the run began",
                "queued in the harness  p50 0.05 ms", "server (after written) p50 1.40 ms", "0.40 s of set-up", "1 connects failed; 3 requests sent again",
                "not in the percentiles   2 requests failed without an answer")) {
            assertTrue(t.contains(s), s + " in\n" + t);
        }
    }

    @Test
    void aNiceCeilingIsOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(1, SvgChart.niceCeiling(0));
        assertEquals(50, SvgChart.niceCeiling(41));
        assertEquals(200, SvgChart.niceCeiling(101));
        assertEquals(1000, SvgChart.niceCeiling(1000));
        assertEquals(3.0, HtmlReport.nines(99.9), 1e-9);
    }
}

package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.harness.load.PrometheusPage;

/**
 * {@code /metrics} stays bounded however many clients come: after update streams were opened and
 * each driven through its own control URI (one random path per stream) at an origin and at a
 * pull proxy, the series of {@code rproxy_*} meters are the same set as after the first few
 * streams (and at a push proxy), every control URI is counted under one route, no label names a
 * control URI, every node shows its update stream's meters and the push proxy its feed's, and
 * the page has the JVM and process meters and the front end's request-body gauges and refused-stream
 * counter, every meter with its labels is in docs/operations.md's
 * metrics table, and the page passes {@code promtool check metrics} (skipped with a message where
 * promtool, from Debian's {@code prometheus} package, is absent).
 */
class BoundedMetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int FIRST = 5;
    private static final int MORE = 60;
    private static final Pattern SERIES = Pattern.compile("^(rproxy_[a-z_]+\\{(?:[^\"}]|\"[^\"]*\")*\\})",
            Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void manyStreamsAddNoSeriesAndEveryMeterIsDocumentedAndPassesPromtool() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir);
             StreamingPull pull = PlainSubscriberIT.Lab.pull(lab.origin.baseUri(), lab.pub);
             PushPullProxy push = PushPullProxy.start(Proxies.config("push", lab.origin.baseUri(), lab.pub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            String originMetrics = "http://127.0.0.1:" + lab.origin.startAdmin(new Address("127.0.0.1", 0)).getPort()
                    + "/metrics";
            String pullMetrics = "http://127.0.0.1:" + pull.pull().adminAddress().getPort() + "/metrics";
            String pushMetrics = "http://127.0.0.1:" + push.pull().adminAddress().getPort() + "/metrics";
            PushTree.await(WAIT, "pull proxy ready", () -> pull.pull().notReadyBecause() == null);
            PushTree.await(WAIT, "push proxy ready", () -> push.notReadyBecause() == null);
            // The push proxy adds the documents its subscription did not name (the directory) through the control URI.
            PushTree.await(WAIT, "push proxy's control request", () -> controlRequests(originMetrics) > 0);
            assertStreamMeters(scrape(originMetrics), scrape(pullMetrics), scrape(pushMetrics));
            Map<String, String> pages = new TreeMap<>();
            for (String[] node : new String[][] {{lab.origin.baseUri(), originMetrics}, {pull.pull().baseUri(), pullMetrics},
                    {push.baseUri(), pushMetrics}}) {
                double controlBefore = controlRequests(node[1]);
                openAndRemove(node[0], FIRST);
                Set<String> before = streamSeries(scrape(node[1]));
                openAndRemove(node[0], MORE);
                String page = scrape(node[1]);
                // Requests for documents (a proxy's revalidations, 304s) may add their series meanwhile; streams add none.
                assertEquals(before, streamSeries(page), "series added by " + MORE + " more streams at " + node[0]);
                assertTrue(series(page).size() < MORE, series(page).toString());
                assertFalse(page.contains("/updates/control/"), page);
                assertEquals(FIRST + MORE, controlRequestsOn(page) - controlBefore, 0.0, page);
                for (String meter : new String[] {"jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads",
                        "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds",
                        "process_files_open_files"}) {
                    assertTrue(page.contains(meter), meter + " missing at " + node[1]);
                }
                // the front end's request bodies arriving, and their bound, at every node
                assertTrue(PrometheusPage.sample(page, "rproxy_request_body_bytes").isPresent(), "at " + node[1]);
                assertTrue(PrometheusPage.sample(page, "rproxy_request_body_max_bytes").orElse(0) > 0, "at " + node[1]);
                assertEquals(0.0, PrometheusPage.sample(page, "rproxy_unfinished_streams_refused_total").orElse(-1),
                        "HTTP/2 streams refused for want of a place, shown from the start, at " + node[1]);
                assertEquals(0.0, PrometheusPage.sample(page, "rproxy_unfinished_streams").orElse(-1),
                        "HTTP/2 requests arriving now, none, at " + node[1]);
                assertEquals(10_000.0, PrometheusPage.sample(page, "rproxy_unfinished_streams_max").orElse(-1),
                        "their bound, the default, at " + node[1]);
                assertDocumented(page);
                pages.put(node[0], page);
            }
            // Last: without promtool the test stops here, skipped, after every other check.
            for (Map.Entry<String, String> p : pages.entrySet()) {
                promtool(p.getValue(), p.getKey());
            }
        }
    }

    /**
     * Every node shows its update stream publisher's meters, and the push proxy its feed's: the
     * origin counts the push proxy's subscription, which is open and has brought verified updates.
     */
    private static void assertStreamMeters(String origin, String pull, String push) {
        for (String page : List.of(origin, pull, push)) {
            for (String meter : List.of("rproxy_updates_subscribers", "rproxy_updates_versions_total",
                    "rproxy_updates_coalesced_total", "rproxy_updates_disconnected_total")) {
                assertTrue(PrometheusPage.sample(page, meter).isPresent(), meter + " missing in\n" + page);
            }
        }
        assertTrue(PrometheusPage.sample(origin, "rproxy_updates_subscribers").getAsDouble() >= 1, origin);
        assertEquals(1.0, PrometheusPage.sample(push, "rproxy_push_stream_connected").orElse(-1), push);
        assertTrue(PrometheusPage.sample(push, "rproxy_push_stream_connects_total").orElse(0) >= 1, push);
        assertTrue(PrometheusPage.sample(push, "rproxy_push_updates_total{result=\"verified\"}").orElse(0) >= 1, push);
        assertEquals(0.0, PrometheusPage.sample(push, "rproxy_push_updates_total{result=\"rejected\"}").orElse(-1), push);
        assertFalse(pull.contains("rproxy_push_stream_connected"), "a pull proxy has no push feed: " + pull);
    }

    /** The control requests answered 204 by the node whose page is at {@code metrics}, counted under one route. */
    private static double controlRequests(String metrics) {
        try {
            return controlRequestsOn(scrape(metrics));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double controlRequestsOn(String page) {
        return PrometheusPage.sample(page, "rproxy_requests_total{method=\"POST\",path=\"/updates/{control}\",status=\"204\"}")
                .orElse(0);
    }

    /** Opens {@code n} update streams at {@code base}, each removing its only substream through its control URI. */
    private static void openAndRemove(String base, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates",
                    "{\"add\":{\"nm\":{\"resource-id\":\"default-network-map\"}}}")) {
                SseClient.Event control = sse.next(WAIT);
                String uri = JSON.readTree(control.data()).path("control-uri").asText();
                assertTrue(uri.contains("/updates/control/"), control.data());
                HttpResponse<String> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/alto-updatestreamparams+json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"remove\":[\"nm\"]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(204, r.statusCode(), r.body());
            }
        }
    }

    private static String scrape(String url) throws Exception {
        HttpResponse<byte[]> r = Proxies.get(url);
        assertEquals(200, r.statusCode());
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /**
     * Every meter on {@code page} is in docs/operations.md's metrics table with exactly its labels
     * ({@code `name{a,b}`}), and every value of the labels that take a fixed set ({@code kind},
     * {@code result}, {@code answered}) is named in its row.
     */
    private static void assertDocumented(String page) throws Exception {
        assertDocumented(page, 31);
    }

    /** As {@link #assertDocumented(String)}, on a page of at least {@code minSamples} samples. */
    static void assertDocumented(String page, int minSamples) throws Exception {
        String readme = Files.readString(TestPaths.repo().resolve("docs/operations.md"), StandardCharsets.UTF_8);
        Set<String> summaries = new TreeSet<>();
        Set<String> families = new TreeSet<>();
        Matcher type = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE).matcher(page);
        while (type.find()) {
            families.add(type.group(1));
            if (type.group(2).equals("summary")) {
                summaries.add(type.group(1));
            }
        }
        Matcher sample = Pattern.compile("^([a-z_]+)(?:\\{((?:[^\"}]|\"[^\"]*\")*)\\})? ", Pattern.MULTILINE).matcher(page);
        int checked = 0;
        while (sample.find()) {
            checked++;
            String name = sample.group(1);
            String family = families.contains(name) ? name : name.replaceAll("_(count|sum)$", "");
            String documented = family.endsWith("_max") && summaries.contains(family.substring(0, family.length() - 4))
                    ? family.substring(0, family.length() - 4) : family;
            List<String> keys = new ArrayList<>();
            Map<String, String> values = new TreeMap<>();
            if (sample.group(2) != null) {
                Matcher label = Pattern.compile("([a-z_]+)=\"([^\"]*)\"").matcher(sample.group(2));
                while (label.find()) {
                    keys.add(label.group(1));
                    values.put(label.group(1), label.group(2));
                }
            }
            String cell = "`" + documented + (keys.isEmpty() ? "`" : "{" + String.join(",", keys) + "}`");
            int at = readme.indexOf(cell);
            assertTrue(at >= 0, cell + " is not in the metrics table of docs/operations.md");
            String row = readme.substring(readme.lastIndexOf('\n', at) + 1, readme.indexOf('\n', at));
            for (String fixed : new String[] {"kind", "result", "answered"}) {
                if (values.containsKey(fixed)) {
                    assertTrue(row.contains("`" + values.get(fixed) + "`"),
                            fixed + "=\"" + values.get(fixed) + "\" of " + documented + " is not in its row of docs/operations.md: " + row);
                }
            }
        }
        assertTrue(checked >= minSamples, "only " + checked + " samples read from the page");
    }

    /** The series of requests to the update stream and its control URIs. */
    private static Set<String> streamSeries(String page) {
        Set<String> out = new TreeSet<>(series(page));
        out.removeIf(s -> !s.contains("path=\"/updates"));
        return out;
    }

    /** Every {@code rproxy_*} series of a page: name and labels, without the value. */
    private static Set<String> series(String page) {
        Set<String> out = new TreeSet<>();
        Matcher m = SERIES.matcher(page);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private void promtool(String page, String node) throws Exception {
        String complaint = promtoolComplaint(page);
        Assumptions.assumeTrue(complaint != null,
                "promtool not found (install Debian's prometheus package); skipping promtool check metrics");
        assertEquals("", complaint, "promtool check metrics on the page of " + node);
    }

    /**
     * What {@code promtool check metrics} says of {@code page}: "" when it passes, its output
     * when it does not, null where promtool is absent.
     */
    static String promtoolComplaint(String page) throws Exception {
        String tool = promtoolPath();
        if (tool == null) {
            return null;
        }
        Path file = Files.createTempFile("metrics", ".txt");
        try {
            Files.writeString(file, page);
            Process p = new ProcessBuilder(tool, "check", "metrics").redirectInput(file.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
            return p.exitValue() == 0 ? "" : out;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String promtoolPath() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, "promtool");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}

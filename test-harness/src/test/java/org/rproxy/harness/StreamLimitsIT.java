package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update stream's bounds on what one subscriber may ask of a node, over real sockets at an
 * origin: substreams per stream, at open and through the control URI; query answers followed,
 * node-wide (a new input past them is 503 with {@code Retry-After}); and inputs listing the same
 * PIDs in another order or twice answered as one, with the answer a POST of the input gets.
 */
class StreamLimitsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PARAMS = "application/alto-updatestreamparams+json";

    @TempDir
    Path dir;

    static HttpResponse<String> post(String uri, String body) throws Exception {
        return Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(uri)).timeout(WAIT).header("Content-Type", PARAMS)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** {@code n} substreams following the routing cost map, ids {@code prefix0}... */
    static String adds(String prefix, int n) {
        StringBuilder b = new StringBuilder("{\"add\":{");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append('"').append(prefix).append(i).append("\":{\"resource-id\":\"routingcost-map\"}");
        }
        return b.append("}}").toString();
    }

    private static JsonNode meta(HttpResponse<String> r) throws Exception {
        assertEquals("application/alto-error+json", r.headers().firstValue("content-type").orElse(null), r.body());
        return JSON.readTree(r.body()).path("meta");
    }

    @Test
    void aStreamHasAtMostOneSubstreamPerDocumentPlus256AtOpenAndThroughItsControlUri() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            String base = lab.origin.baseUri();
            HttpResponse<String> many = post(base + "/updates", adds("s", 20_000));
            assertEquals(400, many.statusCode(), many.body());
            assertEquals("E_INVALID_FIELD_VALUE", meta(many).path("code").asText(), many.body());
            assertEquals("add", meta(many).path("field").asText(), many.body());
            String message = meta(many).path("message").asText();
            int max = Integer.parseInt(message.replaceAll(".*at most (\\d+) per update stream.*", "$1"));
            assertTrue(max >= 256 && max < 400, message);
            assertEquals(0, lab.publisher.stats().subscribers());

            try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", adds("s", max))) {
                SseClient.Event opened = sse.next(WAIT);
                String control = JSON.readTree(opened.data()).path("control-uri").asText();
                HttpResponse<String> more = post(control, adds("t", 1));
                assertEquals(400, more.statusCode(), more.body());
                assertEquals("add", meta(more).path("field").asText(), more.body());
                HttpResponse<String> replaced = post(control, "{\"remove\":[\"s0\"],\"add\":{\"t0\":{\"resource-id\":"
                        + "\"routingcost-map\"}}}");
                assertEquals(204, replaced.statusCode(), replaced.body());
            }
        }
    }

    private static final String FILTERED = "default-network-map-filtered-cost-map";
    private static final String COST_TYPE = "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}";

    /** {@code n} substreams following the filtered cost map, each with a constraint of its own (from {@code first}). */
    private static String queries(int first, int n) {
        StringBuilder b = new StringBuilder("{\"add\":{");
        for (int i = first; i < first + n; i++) {
            b.append(i > first ? "," : "").append("\"q").append(i).append("\":{\"resource-id\":\"").append(FILTERED)
                    .append("\",\"input\":{").append(COST_TYPE).append(",\"constraints\":[\"le ").append(1000 + i)
                    .append("\"]}}");
        }
        return b.append("}}").toString();
    }

    @Test
    void queryAnswersAreBoundedNodeWideAndOneQuestionIsOneAnswer() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            String base = lab.origin.baseUri();
            String input = "{" + COST_TYPE + ",\"pids\":{\"srcs\":[\"PID2\",\"PID1\",\"PID1\"],\"dsts\":[\"PID3\",\"PID2\"]}}";
            JsonNode directory = JSON.readTree(Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/directory"))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString()).body());
            String path = URI.create(directory.path("resources").path(FILTERED).path("uri").asText()).getPath();
            HttpResponse<String> posted = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT)
                    .header("Content-Type", "application/alto-costmapfilter+json")
                    .POST(HttpRequest.BodyPublishers.ofString(input)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, posted.statusCode(), posted.body());
            List<SseClient> streams = new ArrayList<>();
            try {
                SseClient one = new SseClient(Proxies.HTTP, base + "/updates", "{\"add\":{\"a\":{\"resource-id\":\""
                        + FILTERED + "\",\"input\":" + input + "},\"b\":{\"resource-id\":\"" + FILTERED + "\",\"input\":"
                        + input.replace("[\"PID2\",\"PID1\",\"PID1\"]", "[\"PID1\",\"PID2\"]") + "}}}");
                streams.add(one);
                List<SseClient.Event> seen = new ArrayList<>();
                SseClient.Event a = PlainSubscriberIT.awaitType(one, "application/alto-costmap+json,a", seen);
                SseClient.Event b = PlainSubscriberIT.awaitType(one, "application/alto-costmap+json,b", seen);
                assertEquals(JSON.readTree(posted.body()).path("cost-map"), JSON.readTree(a.data()).path("cost-map"),
                        "the answer a POST of the input gets");
                assertEquals(a.data(), b.data());
                // One answer followed so far; fill the node's answers with inputs of their own.
                int perStream = 256;
                for (int first = 0; first < 1024 - 1; first += perStream) {
                    int n = Math.min(perStream, 1024 - 1 - first);
                    SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", queries(first, n));
                    streams.add(sse);
                    assertEquals("application/alto-updatestreamcontrol+json", sse.next(WAIT).type());
                }
                HttpResponse<String> full = post(base + "/updates", queries(5000, 1));
                assertEquals(503, full.statusCode(), full.body());
                assertEquals("1", full.headers().firstValue("retry-after").orElse(null), full.body());
                // a server condition: its message as text, no ALTO error code
                assertEquals("text/plain; charset=utf-8", full.headers().firstValue("content-type").orElse(null));
                assertTrue(full.body().contains("at most 1024 query answers"), full.body());
                try (SseClient followed = new SseClient(Proxies.HTTP, base + "/updates", queries(0, 1))) {
                    assertEquals("application/alto-updatestreamcontrol+json", followed.next(WAIT).type(),
                            "an answer already followed is still taken");
                }
            } finally {
                streams.forEach(SseClient::close);
            }
        }
    }
}

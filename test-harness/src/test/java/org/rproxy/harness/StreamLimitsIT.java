package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update stream's bounds on what one subscriber may ask of a node, over real sockets at an
 * origin: substreams per stream, at open and through the control URI.
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
}

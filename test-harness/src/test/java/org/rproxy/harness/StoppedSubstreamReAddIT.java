package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a plain RFC 8895 client sees at the origin when a map it follows is deleted and later
 * written again: a {@code stopped} control event whose description says the substream is over and
 * how to follow the document again (add it again through the control URI), an addition refused
 * while the document is not served, and, once it is again, the same substream id added again and
 * started from the current version. RFC 8895 lets only the client start a substream; the node
 * never restarts a stopped one by itself (that id is the client's to reuse), and tells of the
 * document's return only in this project's {@code alto-redist-documents} extension, which a plain
 * client ignores. The description said only that the document was no longer served.
 */
class StoppedSubstreamReAddIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EXTRA_FILE = "extra-network-map.json";
    private static final String EXTRA_MAP = "{\"network-map\":{\"X1\":{\"ipv4\":[\"192.0.2.0/24\"]},\"X2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    private static final String CONTROL = "application/alto-updatestreamcontrol+json";
    private static final String READD = "{\"add\":{\"x\":{\"resource-id\":\"extra-network-map\"}}}";

    @TempDir
    Path dir;

    @Test
    void aStoppedSubstreamSaysHowToFollowAgainAndIsAddedAgainOnceTheDocumentIsBack() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            String base = lab.origin.baseUri();
            Files.writeString(lab.maps.resolve(EXTRA_FILE), EXTRA_MAP);
            PushTree.await(WAIT, "the origin serves the extra map",
                    () -> RetiredMapStreamIT.status(base + "/networkmap/extra-network-map") == 200);
            try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates",
                    "{\"add\":{\"x\":{\"resource-id\":\"extra-network-map\"},\"n\":{\"resource-id\":\"default-network-map\"}}}")) {
                List<SseClient.Event> seen = new ArrayList<>();
                SseClient.Event first = PlainSubscriberIT.awaitType(sse, CONTROL, seen);
                URI control = URI.create(JSON.readTree(first.data()).path("control-uri").asText());
                PlainSubscriberIT.awaitType(sse, "application/alto-networkmap+json,x", seen);

                Files.delete(lab.maps.resolve(EXTRA_FILE));
                JsonNode stopped = JSON.readTree(awaitControl(sse, "stopped", seen).data());
                assertEquals("x", stopped.path("stopped").path(0).asText(), stopped.toString());
                String why = stopped.path("description").asText();
                assertTrue(why.contains("/networkmap/extra-network-map") && why.contains("add the substream again"),
                        "the description says what ended and how to follow the document again: " + why);

                HttpResponse<String> gone = post(control, READD);
                assertEquals(400, gone.statusCode(), "an addition while the map is not served is refused: " + gone.body());
                assertTrue(gone.body().contains("add/x/resource-id"), gone.body());

                Files.writeString(lab.maps.resolve(EXTRA_FILE), EXTRA_MAP);
                PushTree.await(WAIT, "the origin serves the extra map again",
                        () -> RetiredMapStreamIT.status(base + "/networkmap/extra-network-map") == 200);
                HttpResponse<String> back = post(control, READD);
                assertEquals(204, back.statusCode(), "the same id is added again: " + back.body());
                JsonNode started = JSON.readTree(awaitControl(sse, "started", seen).data());
                assertEquals("x", started.path("started").path(0).asText(), started.toString());
                PlainSubscriberIT.awaitType(sse, "application/alto-networkmap+json,x", seen);
            }
        }
    }

    /** The next control event with member {@code member}; every event read meanwhile is added to {@code seen}. */
    private static SseClient.Event awaitControl(SseClient sse, String member, List<SseClient.Event> seen) throws Exception {
        for (int i = 0; i < 1000; i++) {
            SseClient.Event e = PlainSubscriberIT.awaitType(sse, CONTROL, seen);
            if (JSON.readTree(e.data()).has(member)) {
                return e;
            }
        }
        throw new AssertionError("no control event with " + member + ": " + seen);
    }

    private static HttpResponse<String> post(URI control, String body) throws Exception {
        return Proxies.HTTP.send(HttpRequest.newBuilder(control)
                .header("Content-Type", "application/alto-updatestreamparams+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }
}

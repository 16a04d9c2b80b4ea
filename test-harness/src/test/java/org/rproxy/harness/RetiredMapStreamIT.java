package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.StreamingPull;

/**
 * A map retired at the origin is stopped on a pull proxy's update stream too: once the proxy's
 * revalidation hears the upstream's 404, its substreams get a {@code stopped} control event, and
 * a new subscription naming it is refused, where the stream used to offer the last version held
 * for good (and the proxy asked the upstream for it at every refresher pass).
 */
class RetiredMapStreamIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EXTRA_FILE = "extra-network-map.json";

    @TempDir
    Path dir;

    private static String directoryAt(String base) {
        try {
            return Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/directory")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    /** The status a GET of {@code uri} is answered with; -1 when none came. */
    static int status(String uri) {
        try {
            return Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(uri)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    @Test
    void aMapRetiredAtTheOriginIsStoppedOnThePullProxysStream() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            Files.writeString(lab.maps.resolve(EXTRA_FILE),
                    "{\"network-map\":{\"X1\":{\"ipv4\":[\"192.0.2.0/24\"]},\"X2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
            PushTree.await(WAIT, "the origin serves the extra map",
                    () -> status(lab.origin.baseUri() + "/networkmap/extra-network-map") == 200);
            try (StreamingPull pull = PlainSubscriberIT.Lab.pull(lab.origin.baseUri(), lab.pub)) {
                PushTree.await(WAIT, "pull proxy ready", () -> pull.pull().notReadyBecause() == null);
                String base = pull.pull().baseUri();
                try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates",
                        "{\"add\":{\"x\":{\"resource-id\":\"extra-network-map\"}}}")) {
                    assertEquals("application/alto-updatestreamcontrol+json", sse.next(WAIT).type());
                    sse.next("application/alto-networkmap+json,x", WAIT);

                    Files.delete(lab.maps.resolve(EXTRA_FILE));
                    JsonNode stopped = null;
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (stopped == null) {
                        // fails when nothing comes within the deadline
                        SseClient.Event e = sse.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                        if (e.type().equals("application/alto-updatestreamcontrol+json")
                                && JSON.readTree(e.data()).has("stopped")) {
                            stopped = JSON.readTree(e.data());
                        }
                    }
                    assertEquals("x", stopped.path("stopped").path(0).asText(), stopped.toString());
                }
                // a proxy whose held directory still lists the map takes a subscription to it (and
                // stops it once its fetch hears the 404): wait for the directory without it
                PushTree.await(WAIT, "the pull proxy's directory no longer lists the map",
                        () -> !directoryAt(base).contains("extra-network-map"));
                try (SseClient again = new SseClient(Proxies.HTTP, base + "/updates",
                        "{\"add\":{\"x\":{\"resource-id\":\"extra-network-map\"}}}")) {
                    assertEquals("400", again.next("status", WAIT).data(), "a subscription naming the retired map is refused");
                }
            }
        }
    }
}

package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;

/**
 * POST-mode substreams (RFC 8895 §6.5, an {@code add} entry with {@code input}): a plain client
 * follows a filtered cost map and an endpoint cost (PID1's and one of its addresses' cost to PID2)
 * at the origin, a pull proxy and a push proxy; each answer comes first, unsigned (no signature
 * event), then again when the routing cost map is edited; a bad input is the query resource's own
 * RFC 7285 error, under the substream's {@code input}.
 */
class QuerySubstreamIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARAMS = "{\"add\":{"
            + "\"fc\":{\"resource-id\":\"default-network-map-filtered-cost-map\",\"input\":{\"cost-type\":"
            + "{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":[\"PID1\"],\"dsts\":[\"PID2\"]}}},"
            + "\"ec\":{\"resource-id\":\"endpoint-cost\",\"input\":{\"cost-type\":{\"cost-mode\":\"numerical\","
            + "\"cost-metric\":\"routingcost\"},\"endpoints\":{\"srcs\":[\"ipv4:128.36.1.5\"],\"dsts\":[\"ipv4:130.132.3.5\"]}}}}}";

    @TempDir
    Path dir;

    @Test
    void atTheOrigin() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            followAnswers(lab.origin.baseUri(), lab);
        }
    }

    @Test
    void atAPullProxy() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir);
             StreamingPull pull = PlainSubscriberIT.Lab.pull(lab.origin.baseUri(), lab.pub)) {
            PushTree.await(Duration.ofSeconds(20), "pull proxy ready", () -> pull.pull().notReadyBecause() == null);
            followAnswers(pull.pull().baseUri(), lab);
        }
    }

    @Test
    void atAPushProxy() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir);
             PushPullProxy push = PushPullProxy.start(Proxies.config("push", lab.origin.baseUri(), lab.pub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            PushTree.await(Duration.ofSeconds(20), "push proxy ready", () -> push.notReadyBecause() == null);
            followAnswers(push.baseUri(), lab);
        }
    }

    private static void followAnswers(String base, PlainSubscriberIT.Lab lab) throws Exception {
        try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", PARAMS)) {
            List<SseClient.Event> seen = new ArrayList<>();
            SseClient.Event fc = PlainSubscriberIT.awaitType(sse, "application/alto-costmap+json,fc", seen);
            assertEquals(5, JSON.readTree(fc.data()).path("cost-map").path("PID1").path("PID2").asInt(), fc.data());
            SseClient.Event ec = PlainSubscriberIT.awaitType(sse, "application/alto-endpointcost+json,ec", seen);
            assertEquals(5, JSON.readTree(ec.data()).path("endpoint-cost-map").path("ipv4:128.36.1.5")
                    .path("ipv4:130.132.3.5").asInt(), ec.data());
            PushTree.writeRoutingCost(lab.maps, 77);
            PlainSubscriberIT.awaitData(sse, ",fc", d -> d.contains("77"), seen);
            // The answer's update may come before the map's: then it was read while waiting above.
            boolean ecSeen = seen.stream().anyMatch(e -> e.type().endsWith(",ec")
                    && !e.type().startsWith("application/alto-redist-signature") && e.data().contains("77"));
            if (!ecSeen) {
                PlainSubscriberIT.awaitData(sse, ",ec", d -> d.contains("77"), seen);
            }
            for (SseClient.Event e : seen) {
                assertFalse(e.type().endsWith(",fc") && e.type().startsWith("application/alto-redist-signature")
                        || e.type().endsWith(",ec") && e.type().startsWith("application/alto-redist-signature"),
                        "answers are not signed: " + e);
            }
        }
        HttpResponse<String> bad = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/updates"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/alto-updatestreamparams+json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"add\":{\"fc\":{\"resource-id\":"
                        + "\"default-network-map-filtered-cost-map\",\"input\":{\"pids\":{}}}}}")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("application/alto-error+json", bad.headers().firstValue("content-type").orElse(null));
        assertTrue(JSON.readTree(bad.body()).path("meta").path("field").asText().startsWith("add/fc/input/"), bad.body());
    }
}

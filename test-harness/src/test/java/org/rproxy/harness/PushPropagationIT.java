package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.push.PushProxy;

/**
 * origin → regional push proxy → edge push proxy, over real loopback sockets: a change of a file
 * in the origin's maps folder is served, verified, by the regional proxy and then by the edge; a
 * change that travels as a merge patch rebuilds the signed bytes exactly; every document the
 * origin signs (JSON and XML) reaches the edge byte for byte. How fast a change travels ("a second
 * or two") is a speed, measured under load by the harness's {@code push-storm} scenario (p50 and
 * p99 from the file write), not bounded here: a 1 s / 2 s bound in a test is missed whenever a
 * loaded build machine holds the origin's watcher or a feed thread off the CPU for a second.
 */
class PushPropagationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a change may take to reach a node before the test calls it lost: a hang's deadline, not a speed. */
    private static final Duration REACHED = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    static PushTree tree;
    static PushProxy regional;
    static PushProxy edge;

    @BeforeAll
    static void start() throws Exception {
        tree = PushTree.start(dir, "big-network-map.json", OriginEndToEndIT.bigNetworkMap(300));
        regional = tree.proxy(tree.originBase());
        edge = tree.proxy(regional.baseUri());
        PushTree.await(REACHED, "edge holds every document",
                () -> edge.feed().held().containsKey("/cost/map?type=hopcount")
                        && edge.feed().held().containsKey(PushTree.COST_MAP));
    }

    @AfterAll
    static void stop() {
        if (tree != null) {
            tree.close();
        }
    }

    @Test
    void everySignedDocumentReachesTheEdgeByteForByte() {
        for (String path : new String[] {"/directory", "/networkmap/default-network-map", "/networkmap/big-network-map",
                PushTree.COST_MAP, "/costmap/hopcount-map", "/capability", "/prop/pid", "/cost/map",
                "/cost/map?type=hopcount"}) {
            PushTree.await(REACHED, path + " at the edge", () -> edge.feed().held().containsKey(path));
            assertEquals(tree.verifiedBody(tree.originBase(), path), tree.verifiedBody(edge.baseUri(), path), path);
        }
        assertTrue(edge.feed().held().get("/networkmap/big-network-map").gzip() != null,
                "the gzip variant is rebuilt and verifies");
        assertEquals(0, regional.feed().stats().rejected());
        assertEquals(0, edge.feed().stats().rejected());
    }

    @Test
    void aFileChangeIsServedVerifiedOneLevelDownThenTwoLevelsDown() throws Exception {
        for (int cost : new int[] {41, 42}) {
            tree.writeRoutingCost(cost);
            String marker = "\"PID2\":" + cost;
            // the edge has the change only from the regional proxy: once the edge serves it, the
            // regional one, asked after, serves it too
            PushTree.await(REACHED, "edge serves cost " + cost, () -> {
                boolean atEdge = String.valueOf(tree.bodyOrNull(edge.baseUri(), PushTree.COST_MAP)).contains(marker);
                assertTrue(!atEdge || String.valueOf(tree.bodyOrNull(regional.baseUri(), PushTree.COST_MAP))
                        .contains(marker), "the edge served cost " + cost + " and the regional proxy did not");
                return atEdge;
            });
            String origin = tree.verifiedBody(tree.originBase(), PushTree.COST_MAP);
            assertEquals(origin, tree.verifiedBody(regional.baseUri(), PushTree.COST_MAP));
            assertEquals(origin, tree.verifiedBody(edge.baseUri(), PushTree.COST_MAP));
        }
    }

    @Test
    void aMapAddedAtTheOriginIsFollowedDownTheTree() throws Exception {
        java.nio.file.Files.writeString(tree.maps.resolve("extra-network-map.json"),
                "{\"network-map\":{\"X1\":{\"ipv4\":[\"192.0.2.0/24\"]},\"X2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
        String path = "/networkmap/extra-network-map";
        PushTree.await(REACHED, "edge follows the new map", () -> edge.feed().held().containsKey(path));
        assertEquals(tree.verifiedBody(tree.originBase(), path), tree.verifiedBody(edge.baseUri(), path));
        PushTree.await(REACHED, "edge serves the new directory",
                () -> String.valueOf(tree.bodyOrNull(edge.baseUri(), "/directory")).contains("extra-network-map"));
        assertEquals(tree.verifiedBody(tree.originBase(), "/directory"), tree.verifiedBody(edge.baseUri(), "/directory"));
    }

    @Test
    void aPatchOnlyUpdateRebuildsTheSignedBytesExactly() throws Exception {
        String params = "{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}}}";
        try (SseClient sse = new SseClient(tree.http, edge.baseUri() + "/updates", params)) {
            SseClient.Event control = sse.next(REACHED);
            assertEquals("application/alto-updatestreamcontrol+json", control.type());
            assertTrue(JSON.readTree(control.data()).path("control-uri").asText()
                    .startsWith(edge.baseUri() + "/updates/control/"), control.data());
            SseClient.Event full = sse.next("application/alto-costmap+json,rc", REACHED);
            sse.next("application/alto-redist-signature+json,rc", REACHED);

            tree.writeRoutingCost(77);
            SseClient.Event patch = sse.next(REACHED);
            assertEquals("application/merge-patch+json,rc", patch.type(), "a one-number change travels as a patch");
            assertTrue(patch.data().length() < full.data().length() / 2, patch.data());
            SseClient.Event sig = sse.next(REACHED);
            assertEquals("application/alto-redist-signature+json,rc", sig.type());

            // Apply the patch with an RFC 7396 implementation of our own, put it in RFC 8785 form.
            JsonNode rebuilt = mergePatch(JSON.readTree(full.data()), JSON.readTree(patch.data()));
            byte[] bytes = Jcs.canonicalize(rebuilt);
            String origin = tree.verifiedBody(tree.originBase(), PushTree.COST_MAP);
            assertEquals(origin, new String(bytes, StandardCharsets.UTF_8));
            JsonNode headers = JSON.readTree(sig.data()).path("identity");
            Verdict v = tree.verifier.verify(n -> headers.path(n).isTextual() ? headers.path(n).asText() : null, bytes,
                    Expectation.path(PushTree.COST_MAP));
            assertTrue(v.valid(), v.toString());
            assertNull(tree.independent.check(n -> headers.path(n).isTextual() ? headers.path(n).asText() : null, bytes));
            assertFalse(headers.has("content-encoding"));
        }
    }

    /** RFC 7396 §2, written again here so the test does not trust the product's. */
    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = target.isObject()
                ? ((com.fasterxml.jackson.databind.node.ObjectNode) target).deepCopy() : JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> m : patch.properties()) {
            if (m.getValue().isNull()) {
                out.remove(m.getKey());
            } else {
                out.set(m.getKey(), mergePatch(out.path(m.getKey()), m.getValue()));
            }
        }
        return out;
    }
}

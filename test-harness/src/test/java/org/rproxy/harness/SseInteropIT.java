package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.push.PushProxy;

/**
 * Interop with an independent SSE consumer: the npm {@code eventsource} package, run under node,
 * subscribes to a push proxy's update stream and sees the events RFC 8895 describes: the control
 * event with a control URI first, then a full network map and cost map, each followed by this
 * project's signature event, then a merge patch when the origin's file changes. CI installs node
 * (see .ci/run); without node the test is skipped, saying so.
 */
class SseInteropIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theNpmEventSourceReadsTheRfc8895EventsOfAProxysStream() throws Exception {
        assumeTrue(commandWorks("node", "--version"), "node is not installed: SSE interop not checked");
        Path script = TestPaths.repo().resolve("test-harness/src/test/node/sse-interop");
        if (!Files.isDirectory(script.resolve("node_modules/eventsource"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(script.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(npm.waitFor(120, TimeUnit.SECONDS), "npm ci took too long");
            assertEquals(0, npm.exitValue(), "npm ci failed: " + out);
        }
        try (PushTree tree = PushTree.start(dir)) {
            PushProxy proxy = tree.proxy(tree.originBase());
            PushTree.await(Duration.ofSeconds(10), "proxy holds the maps",
                    () -> proxy.feed().held().containsKey(PushTree.COST_MAP)
                            && proxy.feed().held().containsKey("/networkmap/default-network-map"));
            String params = "{\"add\":{\"nm\":{\"resource-id\":\"default-network-map\"},"
                    + "\"rc\":{\"resource-id\":\"routingcost-map\"}}}";
            List<String> cmd = List.of("node", "subscribe.js", proxy.baseUri() + "/updates", params,
                    "application/alto-updatestreamcontrol+json",
                    "application/alto-networkmap+json,nm", "application/alto-redist-signature+json,nm",
                    "application/alto-costmap+json,rc", "application/alto-redist-signature+json,rc",
                    "application/merge-patch+json,rc", "--until",
                    "application/alto-redist-signature+json,rc", "2");
            Process node = new ProcessBuilder(cmd).directory(script.toFile()).redirectErrorStream(true).start();
            List<JsonNode> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    JsonNode e = JSON.readTree(line);
                    events.add(e);
                    if (events.size() == 5) {
                        tree.writeRoutingCost(88);
                    }
                }
            } finally {
                node.waitFor(30, TimeUnit.SECONDS);
                node.destroyForcibly();
            }
            assertEquals(0, node.exitValue(), events.toString());
            assertTrue(events.size() >= 7, events.toString());
            assertEquals("application/alto-updatestreamcontrol+json", events.get(0).path("type").asText());
            assertTrue(JSON.readTree(events.get(0).path("data").asText()).path("control-uri").asText()
                    .startsWith(proxy.baseUri() + "/updates/control/"), events.get(0).toString());
            List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
            assertTrue(types.contains("application/alto-networkmap+json,nm"), types.toString());
            assertTrue(types.contains("application/alto-costmap+json,rc"), types.toString());
            // The change re-signs every document, so the network map may get a renewal (a signature
            // event alone) in between; the cost map gets a patch followed by its signature event.
            int p = types.indexOf("application/merge-patch+json,rc");
            assertEquals(types.size() - 2, p, types.toString());
            assertEquals("application/alto-redist-signature+json,rc", types.get(p + 1), types.toString());
            JsonNode patch = JSON.readTree(events.get(p).path("data").asText());
            assertEquals(88, patch.path("cost-map").path("PID1").path("PID2").asInt(), patch.toString());
            JsonNode sig = JSON.readTree(events.get(p + 1).path("data").asText()).path("identity");
            assertTrue(sig.path("signature").asText().startsWith("alto=:"), sig.toString());
        }
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

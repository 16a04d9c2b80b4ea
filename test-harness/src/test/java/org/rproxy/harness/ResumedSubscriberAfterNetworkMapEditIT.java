package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.stream.MergePatch;

/**
 * An operator edits only the network map of the sample maps folder, whose cost maps leave
 * {@code dependent-vtags[0].tag} for the origin to fill in. The cost map served then changes (it
 * names the new network map), so it must come under a new {@code meta.vtag.tag} (RFC 7285
 * §10.3): an RFC 8895 client resuming with the tags it holds, old network map and old cost map,
 * must be sent the cost map that follows the new network map. When the cost map kept its tag,
 * the stream told such a client it held the current version and sent no cost map, leaving it
 * with one whose {@code dependent-vtags} names a network map no longer served.
 */
class ResumedSubscriberAfterNetworkMapEditIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String NM = "default-network-map";
    private static final String RC = "routingcost-map";

    @TempDir
    Path dir;

    @Test
    void aResumedSubscriberGetsTheCostMapAfterAnEditOfTheNetworkMapAlone() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir)) {
            String base = lab.origin.baseUri();
            JsonNode oldNm;
            JsonNode oldRc;
            try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", "{\"add\":{\"nm\":{\"resource-id\":\""
                    + NM + "\"},\"rc\":{\"resource-id\":\"" + RC + "\"}}}")) {
                List<SseClient.Event> seen = new ArrayList<>();
                oldNm = JSON.readTree(PlainSubscriberIT.awaitType(sse, "application/alto-networkmap+json,nm", seen).data());
                oldRc = JSON.readTree(PlainSubscriberIT.awaitType(sse, "application/alto-costmap+json,rc", seen).data());
            }
            assertEquals(tag(oldNm), oldRc.path("meta").path("dependent-vtags").path(0).path("tag").asText());

            // The operator moves a prefix to another PID: only the network map file changes.
            Path nmFile = lab.maps.resolve(NM + ".json");
            String before = Files.readString(nmFile);
            String edited = before.replace("\"132.130.2.0/24\"", "\"132.130.9.0/24\"");
            assertNotEquals(before, edited);
            Path tmp = lab.maps.resolveSibling("nm.tmp");
            Files.writeString(tmp, edited);
            Files.move(tmp, nmFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            JsonNode[] served = new JsonNode[2];
            PushTree.await(WAIT, "the origin serving the edited network map", () -> {
                served[0] = document(base + "/networkmap/" + NM);
                served[1] = document(base + "/costmap/" + RC);
                return served[0] != null && served[1] != null && !tag(served[0]).equals(tag(oldNm))
                        && dependentTag(served[1]).equals(tag(served[0]));
            });
            JsonNode newNm = served[0];
            JsonNode newRc = served[1];
            assertNotEquals(tag(oldRc), tag(newRc), "another cost map is served, under another tag");

            // Resume holding the old cost map, then the old network map: the stream sends substreams
            // in the order added, so the cost map, when due, comes before the network map's update.
            try (SseClient sse = new SseClient(Proxies.HTTP, base + "/updates", "{\"add\":{"
                    + "\"rc\":{\"resource-id\":\"" + RC + "\",\"tag\":\"" + tag(oldRc) + "\"},"
                    + "\"nm\":{\"resource-id\":\"" + NM + "\",\"tag\":\"" + tag(oldNm) + "\"}}}")) {
                List<SseClient.Event> seen = new ArrayList<>();
                SseClient.Event rc = null;
                while (rc == null) {
                    SseClient.Event e = sse.next(WAIT);
                    seen.add(e);
                    assertFalse(e.type().equals("closed") || e.type().equals("status"), "events: " + seen);
                    assertFalse(isData(e, ",nm"), "resumed holding cost map " + tag(oldRc) + ", which depends on "
                            + tag(oldNm) + ", and was sent the network map's update but no cost map; events: " + seen);
                    rc = isData(e, ",rc") ? e : null;
                }
                JsonNode held = rc.type().startsWith("application/merge-patch+json")
                        ? MergePatch.apply(oldRc, JSON.readTree(rc.data())) : JSON.readTree(rc.data());
                assertEquals(newRc, held, "the subscriber holds the cost map served now");
                assertEquals(tag(newNm), dependentTag(held));
            }
        }
    }

    private static boolean isData(SseClient.Event e, String substream) {
        return e.type().endsWith(substream) && !e.type().startsWith("application/alto-redist-signature");
    }

    private static JsonNode document(String url) {
        try {
            return JSON.readTree(Proxies.get(url).body());
        } catch (Exception e) {
            return null;
        }
    }

    private static String tag(JsonNode doc) {
        return doc.path("meta").path("vtag").path("tag").asText();
    }

    private static String dependentTag(JsonNode doc) {
        return doc.path("meta").path("dependent-vtags").path(0).path("tag").asText();
    }
}

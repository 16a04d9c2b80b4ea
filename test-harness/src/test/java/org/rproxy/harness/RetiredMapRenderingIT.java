package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rproxy.harness.RetiredMapStreamIT.status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.StreamingPull;

/**
 * A cost map retired at the origin (its file deleted) goes from a proxy in both dialects: the
 * seed's rendering {@code /cost/map?type=METRIC} as well as {@code /costmap/ID}. The origin
 * answered a metric it no longer has with 400, which a proxy takes for a failing upstream, so
 * every proxy of the tree went on serving the retired map's XML rendering until its signature
 * expired (an hour by default) while its JSON path answered 404.
 */
class RetiredMapRenderingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String JSON_PATH = "/costmap/hopcount-map";
    private static final String XML_PATH = "/cost/map?type=hopcount";

    @TempDir
    Path dir;

    @Test
    void aRetiredCostMapsXmlRenderingIsDroppedByTheProxyWithTheMap() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir);
                StreamingPull pull = PlainSubscriberIT.Lab.pull(lab.origin.baseUri(), lab.pub)) {
            PushTree.await(WAIT, "pull proxy ready", () -> pull.pull().notReadyBecause() == null);
            String proxy = pull.pull().baseUri();
            assertEquals(200, status(proxy + XML_PATH));
            assertEquals(200, status(proxy + JSON_PATH));

            Files.delete(lab.maps.resolve("hopcount-map.json"));
            String origin = lab.origin.baseUri();
            PushTree.await(WAIT, "the origin retired the map", () -> status(origin + JSON_PATH) == 404);
            // asked on, as a client would: each ask keeps the copy hot, so the proxy revalidates it
            PushTree.await(WAIT, "the proxy dropped the map's JSON path", () -> status(proxy + JSON_PATH) == 404);
            PushTree.await(WAIT, "the proxy dropped the map's XML rendering", () -> status(proxy + XML_PATH) == 404);
            assertEquals(404, status(origin + XML_PATH), "the origin names no such document");
        }
    }
}

package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;

/** {@code --documents-only}: no viewer sends a query, whatever the server-PID share. */
class DocumentsOnlyTest {
    private static final int VIEWERS = 20;

    @Test
    void documentsOnlyViewersSendNoQueryEvenWhenTheMixSaysAskTheServer() throws Exception {
        // the server answers the directory and the network map; a query would get 404 and fail its viewer
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(LoopbackServers.Scripted.DOCUMENTS)) {
            LoadConfig config = LoopbackServers.config(server.uri(), VIEWERS, Duration.ofMillis(200), Duration.ofSeconds(20),
                    Duration.ofSeconds(20), new Population.Mix(0, 0, 1.0, 1.0, 8), true);
            RunReport r = new LoadRun(config, Progress.none(), null, Map.of()).run("documents only");
            assertEquals(Map.of("GET /directory", (long) VIEWERS, "GET /networkmap/net", (long) VIEWERS), server.counts(),
                    "the requests the server received");
            assertEquals(VIEWERS, r.viewers().joined(), r.errors().toString());
            assertEquals(0, r.errorCount(), r.errors().toString());
            assertEquals(2L * VIEWERS, r.requests());
        }
    }
}

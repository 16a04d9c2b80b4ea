package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.harness.report.RunReport;

/**
 * A target URL with a path ({@code http://host/alto}): viewers read the directory under it and
 * resolve the directory's URIs against the directory's URL as RFC 3986 clients do, so an absolute
 * path is asked for as it is and a relative one beside the directory.
 */
class DirectoryUrisTest {
    private static final int VIEWERS = 10;

    @Test
    void anAbsolutePathInTheDirectoryIsAskedForWithoutTheTargetsPath() throws Exception {
        // the directory lists the network map as /networkmap/net
        Map<String, Long> counts = run(LoopbackServers.DIRECTORY, "GET /networkmap/net");
        assertEquals(Map.of("GET /alto/directory", (long) VIEWERS, "GET /networkmap/net", (long) VIEWERS), counts);
    }

    @Test
    void aRelativeUriInTheDirectoryIsAskedForBesideTheDirectory() throws Exception {
        Map<String, Long> counts = run(LoopbackServers.DIRECTORY.replace("\"uri\":\"/networkmap/net\"", "\"uri\":\"networkmap/net\""),
                "GET /alto/networkmap/net");
        assertEquals(Map.of("GET /alto/directory", (long) VIEWERS, "GET /alto/networkmap/net", (long) VIEWERS), counts);
    }

    /** Runs documents-only viewers against {@code /alto} of a server answering the directory there and the map at {@code mapLine}. */
    private static Map<String, Long> run(String directory, String mapLine) throws Exception {
        try (LoopbackServers.Scripted server = new LoopbackServers.Scripted(r -> {
            if (r.line().equals("GET /alto/directory")) {
                return LoopbackServers.Scripted.Answer.json(200, directory);
            }
            return r.line().equals(mapLine) ? LoopbackServers.Scripted.Answer.json(200, LoopbackServers.NETWORK_MAP)
                    : new LoopbackServers.Scripted.Answer(404, Map.of(), "");
        })) {
            URI target = URI.create(server.uri() + "/alto");
            LoadConfig config = LoopbackServers.config(target, VIEWERS, Duration.ofMillis(200), Duration.ofSeconds(20),
                    Duration.ofSeconds(20), new Population.Mix(0, 0, 1.0, 1.0, 8), true);
            RunReport r = new LoadRun(config, Progress.none(), null, Map.of()).run("directory URIs");
            assertEquals(0, r.errorCount(), r.errors().toString());
            assertEquals(VIEWERS, r.viewers().joined());
            assertEquals(Map.of(target.toString(), Map.of("json directory", (long) VIEWERS, "json network-map", (long) VIEWERS)),
                    r.requestsByTarget(), "the responses counted for the target, by step");
            return server.counts();
        }
    }
}

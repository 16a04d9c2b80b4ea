package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;

/**
 * A running signing front whose unsigned server lists more maps, or more bytes of them, than one
 * load may read ({@link MapsLimits}), or a network map larger than a tree may be: the load is
 * refused with a log line naming the limit, and the signed maps served stay. The limits are set
 * small here, so that the documents stay small.
 */
class SigningFrontLimitsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String NET = "{\"meta\": {\"vtag\": {\"resource-id\": \"net\", \"tag\": \"n1\"}},"
            + " \"network-map\": {%s\"P1\": {\"ipv4\": [\"10.0.0.0/8\"]}, \"P2\": {\"ipv4\": [\"0.0.0.0/0\"]}}}";
    private static final String COSTS = "{\"meta\": {\"dependent-vtags\": [{\"resource-id\": \"net\", \"tag\": \"n1\"}],"
            + " \"cost-type\": {\"cost-mode\": \"numerical\", \"cost-metric\": \"%s\"}},"
            + " \"cost-map\": {%s\"P1\": {\"P2\": 5}, \"P2\": {\"P1\": 3}}}";
    private static final String COST_RESOURCE = "\"%1$s\": {\"uri\": \"/%1$s\", \"media-type\":"
            + " \"application/alto-costmap+json\", \"uses\": [\"net\"]}";

    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, String> docs = new ConcurrentHashMap<>();
    private final ServedDocuments served = new ServedDocuments();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = docs.get(ex.getRequestURI().getPath());
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : b.length);
            if (body != null) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        server.start();
        docs.put("/net", String.format(NET, ""));
        list(1, 0);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Lists the network map and {@code n} cost maps, c1 to cn, each with {@code padding} spaces in its costs. */
    private void list(int n, int padding) {
        StringBuilder resources = new StringBuilder(
                "\"net\": {\"uri\": \"/net\", \"media-type\": \"application/alto-networkmap+json\"}");
        for (int i = 1; i <= n; i++) {
            docs.put("/c" + i, String.format(COSTS, "metric-" + i, " ".repeat(padding)));
            resources.append(", ").append(String.format(COST_RESOURCE, "c" + i));
        }
        docs.put("/directory", "{\"meta\": {}, \"resources\": {" + resources + "}}");
    }

    private Origin front(MapsLimits limits) throws IOException {
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        OriginConfig config = new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), null, key, Duration.ofHours(1),
                Duration.ofSeconds(60), List.of(), "front-limits-test", null).withMapsLimits(limits);
        UnsignedUpstreamMaps source = UnsignedUpstreamMaps.connect(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/directory"), null,
                Duration.ofSeconds(10), MapsFolder.DEFAULT_MAX_FILE_BYTES, limits);
        try {
            return Origin.start(config, source, Duration.ofMillis(100), Clock.systemUTC());
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private HttpResponse<String> get(Origin origin, String path) throws IOException, InterruptedException {
        return served.get(origin, path);
    }

    private void awaitServed(Origin origin, String path) throws Exception {
        served.awaitServed(origin, path, DEADLINE);
    }

    @Test
    void aDirectoryListingMoreMapsThanTheLimitIsRefusedAndTheSignedMapsStay() throws Exception {
        try (Origin origin = front(new MapsLimits(20_000, 1_000_000, 4));
             CapturedLogs log = CapturedLogs.of(Origin.class)) {
            String directory = get(origin, "/directory").body();
            list(4, 0); // 5 maps
            log.awaitMessage("lists 5 maps, over the limit of 4 (--max-maps-documents)", DEADLINE);
            assertEquals(directory, get(origin, "/directory").body());
            assertEquals(404, get(origin, "/costmap/c2").statusCode());

            list(3, 0); // 4: within the limit
            awaitServed(origin, "/costmap/c3");
        }
    }

    @Test
    void mapsOfMoreBytesThanTheLimitAreRefusedAndTheSignedMapsStay() throws Exception {
        try (Origin origin = front(new MapsLimits(20_000, 10_000, 100));
             CapturedLogs log = CapturedLogs.of(Origin.class)) {
            String directory = get(origin, "/directory").body();
            list(3, 4_000); // about 12,700 bytes
            log.awaitMessage("over the limit of 10000 bytes (--max-maps-total-size)", DEADLINE);
            assertEquals(directory, get(origin, "/directory").body());
            assertEquals(404, get(origin, "/costmap/c2").statusCode());

            list(2, 4_000); // within it
            awaitServed(origin, "/costmap/c2");
        }
    }

    @Test
    void aNetworkMapOverTheTreeLimitIsRefusedAndTheSignedMapsStay() throws Exception {
        try (Origin origin = front(new MapsLimits(2_000, 1_000_000, 100));
             CapturedLogs log = CapturedLogs.of(Origin.class)) {
            String before = get(origin, "/networkmap/net").body();
            docs.put("/net", String.format(NET, " ".repeat(3_000)).replace("10.0.0.0/8", "11.0.0.0/8"));
            log.awaitMessage("over the limit of 2000 bytes (--max-network-map-size)", DEADLINE);
            assertEquals(before, get(origin, "/networkmap/net").body());
            assertFalse(before.contains("11.0.0.0/8"), before);
        }
    }

    @Test
    void aFrontStartedOnAServerOverTheLimitDoesNotStartAndSaysWhichLimit() {
        list(4, 0);
        IOException e = assertThrows(IOException.class, () -> front(new MapsLimits(20_000, 1_000_000, 3)).close());
        assertTrue(e.getMessage().contains("lists 5 maps, over the limit of 3 (--max-maps-documents)"), e.getMessage());
    }
}

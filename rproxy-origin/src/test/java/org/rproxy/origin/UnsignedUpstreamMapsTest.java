package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.testing.CapturedLogs;

/**
 * The signing front's reads of an unsigned server: cost maps read from their bytes with a tag
 * hashed from them, documents that did not change not read again (304 to If-None-Match, or the
 * same bytes), resources on another server left out rather than failing the load, a size limit.
 */
class UnsignedUpstreamMapsTest {
    private static final String NET = "{\"meta\": {\"vtag\": {\"resource-id\": \"net\", \"tag\": \"n1\"}},"
            + " \"network-map\": {\"P1\": {\"ipv4\": [\"10.0.0.0/8\"]}, \"P2\": {\"ipv4\": [\"0.0.0.0/0\"]}}}";
    private static final String COSTS = "{\"meta\": {\"dependent-vtags\": [{\"resource-id\": \"net\", \"tag\": \"n1\"}],"
            + " \"cost-type\": {\"cost-mode\": \"numerical\", \"cost-metric\": \"routingcost\"}},"
            + " \"cost-map\": {\"P1\": {\"P2\": %d}, \"P2\": {\"P1\": 3}}}";
    private static final String DIRECTORY = "{\"meta\": {}, \"resources\": {"
            + "\"net\": {\"uri\": \"/net\", \"media-type\": \"application/alto-networkmap+json\"},"
            + "\"costs\": {\"uri\": \"/costs\", \"media-type\": \"application/alto-costmap+json\", \"uses\": [\"net\"]}%s}}";

    private HttpServer server;
    private final Map<String, String> docs = new ConcurrentHashMap<>();
    /** Each request: path, If-None-Match (or -), status. */
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String body = docs.get(path);
            String inm = ex.getRequestHeaders().getFirst("If-None-Match");
            // the cost map has an ETag; the network map and the directory do not
            String etag = path.equals("/costs") && body != null ? "\"c" + body.hashCode() + "\"" : null;
            int status = body == null ? 404 : etag != null && etag.equals(inm) ? 304 : 200;
            seen.add(path + " " + (inm == null ? "-" : inm) + " " + status);
            if (etag != null) {
                ex.getResponseHeaders().add("ETag", etag);
            }
            byte[] b = status == 200 ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
            ex.sendResponseHeaders(status, status == 200 ? b.length : -1);
            if (status == 200) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        server.start();
        docs.put("/directory", String.format(DIRECTORY, ""));
        docs.put("/net", NET);
        docs.put("/costs", String.format(COSTS, 5));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI directoryUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/directory");
    }

    private UnsignedUpstreamMaps front() {
        return UnsignedUpstreamMaps.connect(directoryUrl(), null, Duration.ofSeconds(10));
    }

    @Test
    void documentsThatDidNotChangeAreNotReadAgainAndTheSameMapsAreHandedOn() throws Exception {
        try (UnsignedUpstreamMaps front = front()) {
            MapSet first = front.load();
            seen.clear();
            MapSet second = front.load();
            assertSame(first, second, "nothing changed, yet the maps were read again");
            assertTrue(seen.contains("/costs \"c" + docs.get("/costs").hashCode() + "\" 304"), seen.toString());

            docs.put("/costs", String.format(COSTS, 6));
            MapSet third = front.load();
            assertNotSame(second, third);
            assertSame(second.networkMaps().get("net"), third.networkMaps().get("net"), "the same bytes, read again");
            assertEquals(6.0, third.costMaps().get("costs").cost("P1", "P2"));
            assertNotEquals(second.costMaps().get("costs").vtag().tag(), third.costMaps().get("costs").vtag().tag());
        }
    }

    @Test
    void aCostMapsTagIsAHashOfItsBytesSoOtherBytesGetAnotherTag() throws Exception {
        try (UnsignedUpstreamMaps front = front()) {
            CostMap a = front.load().costMaps().get("costs");
            assertEquals(UpstreamDocuments.bytesTag(docs.get("/costs").getBytes(StandardCharsets.UTF_8)), a.vtag().tag());
            // the network map changes, and the cost map names its new tag: other bytes, another tag
            docs.put("/net", NET.replace("\"n1\"", "\"n2\""));
            docs.put("/costs", String.format(COSTS, 5).replace("\"n1\"", "\"n2\""));
            CostMap b = front.load().costMaps().get("costs");
            assertEquals("n2", b.dependentVtag().tag());
            assertNotEquals(a.vtag().tag(), b.vtag().tag());
        }
    }

    @Test
    void aResourceOnAnotherServerIsLeftOutWithOneLogLineAndTheRestLoads() throws Exception {
        docs.put("/directory", String.format(DIRECTORY, ", \"far\": {\"uri\": \"http://127.0.0.2:9/far\","
                + " \"media-type\": \"application/alto-costmap+json\", \"uses\": [\"net\"]}"));
        try (CapturedLogs logs = CapturedLogs.of(UnsignedUpstreamMaps.class); UnsignedUpstreamMaps front = front()) {
            MapSet maps = front.load();
            front.load();
            assertEquals(List.of("costs"), List.copyOf(maps.costMaps().keySet()));
            logs.awaitMessage("far left out: resources.far.uri: http://127.0.0.2:9/far is on another server",
                    Duration.ofSeconds(5));
            assertEquals(1, logs.events().stream().filter(e -> e.getFormattedMessage().contains("far left out")).count());
        }
    }

    @Test
    void aPortLeftOutIsTheSchemesDefault() {
        assertTrue(UnsignedUpstreamMaps.sameServer(URI.create("http://alto.example:80/costs"),
                URI.create("http://alto.example/directory")));
        assertTrue(UnsignedUpstreamMaps.sameServer(URI.create("https://ALTO.example/costs"),
                URI.create("https://alto.example:443/directory")));
        assertFalse(UnsignedUpstreamMaps.sameServer(URI.create("http://alto.example:8080/costs"),
                URI.create("http://alto.example/directory")));
        assertFalse(UnsignedUpstreamMaps.sameServer(URI.create("https://alto.example/costs"),
                URI.create("http://alto.example/directory")));
        assertFalse(UnsignedUpstreamMaps.sameServer(URI.create("http://other.example/costs"),
                URI.create("http://alto.example/directory")));
    }

    @Test
    void aDocumentOverTheLimitIsRefusedNamingTheLimit() throws Exception {
        docs.put("/costs", String.format(COSTS, 5) + " ".repeat(3000));
        try (UnsignedUpstreamMaps front = UnsignedUpstreamMaps.connect(directoryUrl(), null, Duration.ofSeconds(10), 2000)) {
            IOException e = assertThrows(IOException.class, front::load);
            assertTrue(e.getMessage().contains("/costs") && e.getMessage().contains("2000 bytes"), e.getMessage());
        }
    }
}

package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.Eventually;

/**
 * A proxy that serves a network map and a cost map of two versions of the origin's maps, each
 * genuine and validly signed, so that they do not fit together (the cost map's
 * {@code dependent-vtags} names another network map version): {@link AltoClient#refreshMaps()}
 * asks the next source (the origin) for the map that is behind, returns answers from maps that fit,
 * and counts the proxy as failing, rather than taking maps that do not fit (answers without the cost
 * map, or from the stale network map) on every refresh while that proxy is first; a polling
 * follower likewise.
 */
class MismatchedMapsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private ListedHostileSource lab;
    private RawSource hostile;
    private LocalOrigin origin;
    private AltoClient client;

    @BeforeEach
    void start() throws Exception {
        lab = ListedHostileSource.start(dir, TIMEOUT);
        hostile = lab.hostile;
        origin = lab.origin;
        client = lab.client;
    }

    @AfterEach
    void stop() throws IOException {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aNewNetworkMapWithAnOldCostMapFallsBackForTheCostMap() throws Exception {
        byte[] oldCosts = genuine(LocalOrigin.COST_MAP);
        changeNetworkMap(oldCosts);
        serveMixed(genuine(LocalOrigin.NETWORK_MAP), oldCosts);

        LocalAnswers a = client.refreshMaps();

        assertEquals(Optional.of("PID1"), a.pid("128.36.2.7"), "answers from the new network map");
        assertEquals(5.0, a.cost("128.36.2.7", "130.132.3.9").orElseThrow(), 0.0);
        assertAskedForBoth();
        assertFalse(client.health().coolingDown(URI.create(hostile.base())),
                "a proxy half-way through an update is not cooled down for it: " + client.health());
        assertFalse(client.health().coolingDown(origin.uri()), client.health().toString());
        // asked first again, it cannot keep the next refresh from answers either
        LocalAnswers again = client.refreshMaps();
        assertEquals(5.0, again.cost("128.36.2.7", "130.132.3.9").orElseThrow(), 0.0);
    }

    @Test
    void anOldNetworkMapWithANewCostMapFallsBackForTheNetworkMap() throws Exception {
        byte[] oldNetworkMap = genuine(LocalOrigin.NETWORK_MAP);
        changeNetworkMap(genuine(LocalOrigin.COST_MAP));
        serveMixed(oldNetworkMap, genuine(LocalOrigin.COST_MAP));

        LocalAnswers a = client.refreshMaps();

        assertEquals(Optional.of("PID1"), a.pid("128.36.2.7"), "answers from the new network map");
        assertEquals(Optional.of("PID3"), a.pid("128.36.1.7"), "not from the old one");
        assertAskedForBoth();
        assertFalse(client.health().coolingDown(URI.create(hostile.base())), client.health().toString());
    }

    @Test
    void aPollingFollowerTakesMapsThatFitToo() throws Exception {
        try (AltoClient polling = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withTimeout(TIMEOUT).withMaxEventBytes(1 << 20).withPollInterval(Duration.ofMillis(200)))) {
            polling.refreshMaps(); // the first version, from the origin (the proxy answers 503)
            byte[] oldCosts = genuine(LocalOrigin.COST_MAP);
            changeNetworkMap(oldCosts);
            serveMixed(genuine(LocalOrigin.NETWORK_MAP), oldCosts);
            HeardUpdates heard = new HeardUpdates();

            UpdateFollower f = polling.follow(heard);
            try {
                // neither source streams (404, 503): the follower polls, and is told the new network map's answers
                LocalAnswers a = null;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (a == null && System.nanoTime() < end) {
                    LocalAnswers next = heard.changes.poll(1, TimeUnit.SECONDS);
                    a = next != null && next.pid("128.36.2.7").equals(Optional.of("PID1")) ? next : null;
                }
                assertNotNull(a, "the new network map's answers told: " + heard);
                assertEquals(5.0, a.cost("128.36.2.7", "130.132.3.9").orElseThrow(), 0.0);
                assertEquals(2, a.versions().size(), "the network map and its cost map: " + a.versions());
            } finally {
                f.close();
            }
            assertFalse(polling.health().coolingDown(URI.create(hostile.base())), polling.health().toString());
        }
    }

    /** The hostile source was asked for both maps: it was first, and its maps were what did not fit. */
    private void assertAskedForBoth() {
        List<String> asked = hostile.requests.stream().map(r -> r.substring(0, r.indexOf("\r\n"))).toList();
        assertTrue(asked.contains("GET " + LocalOrigin.NETWORK_MAP + " HTTP/1.1"), asked.toString());
        assertTrue(asked.contains("GET " + LocalOrigin.COST_MAP + " HTTP/1.1"), asked.toString());
    }

    /** Moves PID1 to 128.36.2.0/24 in the maps folder, and waits until the origin serves a cost map on it. */
    private void changeNetworkMap(byte[] oldCosts) throws IOException {
        Files.writeString(origin.maps.resolve("default-network-map.json"), LocalOrigin.networkMap("128.36.2.0/24"));
        Eventually.await("the origin serves the new version", Duration.ofSeconds(30), () -> {
            String map = new String(body(LocalOrigin.NETWORK_MAP), StandardCharsets.UTF_8);
            return map.contains("128.36.2.0/24") && !new String(body(LocalOrigin.COST_MAP), StandardCharsets.UTF_8)
                    .equals(new String(body(oldCosts), StandardCharsets.UTF_8));
        });
        assertNotEquals(new String(body(oldCosts), StandardCharsets.UTF_8),
                new String(body(LocalOrigin.COST_MAP), StandardCharsets.UTF_8), "the cost map names the new network map");
    }

    /** The hostile source serves {@code networkMap} and {@code costMap} (whole answers as the origin sent them), 503 else. */
    private void serveMixed(byte[] networkMap, byte[] costMap) {
        hostile.script = (request, in, out) -> {
            if (request.startsWith("GET " + LocalOrigin.NETWORK_MAP + " ")) {
                out.write(networkMap);
            } else if (request.startsWith("GET " + LocalOrigin.COST_MAP + " ")) {
                out.write(costMap);
            } else {
                out.write(ascii("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));
            }
        };
    }

    /** The origin's whole answer for {@code target}: status line, the signed fields, and the body. */
    private byte[] genuine(String target) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(origin.uri() + target)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), "the origin serves " + target);
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (String name : List.of("content-type", "content-digest", "etag", "alto-resource", "cache-control",
                "signature-input", "signature")) {
            r.headers().firstValue(name).ifPresent(v -> head.append(name).append(": ").append(v).append("\r\n"));
        }
        head.append("Content-Length: ").append(r.body().length).append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii(head.toString()));
        out.writeBytes(r.body());
        return out.toByteArray();
    }

    /** The body of the origin's answer now for {@code target}. */
    private byte[] body(String target) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(origin.uri() + target)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The body of a whole answer made by {@link #genuine}. */
    private static byte[] body(byte[] answer) {
        String s = new String(answer, StandardCharsets.ISO_8859_1);
        return s.substring(s.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

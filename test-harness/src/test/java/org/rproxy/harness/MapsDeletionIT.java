package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/**
 * Deleting a maps file at a running origin: a deploy that deletes a file and copies its successor
 * in within the settle period never takes the document off the air (every GET meanwhile is a
 * 200), and the new version is served; a file that stays deleted is dropped after the period.
 */
class MapsDeletionIT {

    private static final String COST_MAP = "/costmap/routingcost-map";
    private static final Duration SETTLE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void deleteThenCopyNeverAnswers404AndAFileThatStaysGoneIsDroppedAfterTheSettlePeriod() throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path file = maps.resolve("routingcost-map.json");
        String original = Files.readString(file);
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "it-origin", null).withDeleteSettle(SETTLE))) {
            String url = origin.baseUri() + COST_MAP;
            assertEquals(200, status(url));

            // A deploy: delete, wait a moment (the watcher sees the folder without the file), copy the new one in.
            Files.delete(file);
            List<Integer> seen = pollFor(url, Duration.ofMillis(800));
            Files.writeString(file, original.replace("\"PID2\": 5", "\"PID2\": 6"));
            seen.addAll(pollUntil(url, "\"PID2\":6", Duration.ofSeconds(10)));
            assertTrue(seen.stream().allMatch(s -> s == 200), "a GET during the deploy was not 200: " + seen);

            // A real deletion: served until the settle period ends, then 404.
            long deleted = System.nanoTime();
            Files.delete(file);
            assertEquals(200, status(url), "still served right after the deletion");
            awaitStatus(url, 404, SETTLE.plusSeconds(10));
            assertTrue(System.nanoTime() - deleted >= SETTLE.toNanos() - TimeUnit.MILLISECONDS.toNanos(50),
                    "dropped before the settle period ended");
        }
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private List<Integer> pollFor(String url, Duration d) throws Exception {
        List<Integer> seen = new ArrayList<>();
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            seen.add(status(url));
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return seen;
    }

    /** Polls until the body contains {@code marker}; returns every status seen. */
    private List<Integer> pollUntil(String url, String marker, Duration limit) throws Exception {
        List<Integer> seen = new ArrayList<>();
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            seen.add(r.statusCode());
            if (r.body().contains(marker)) {
                return seen;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new AssertionError("the new version was not served within " + limit + "; statuses " + seen);
    }

    private void awaitStatus(String url, int want, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (status(url) == want) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("never answered " + want + " within " + limit);
    }
}

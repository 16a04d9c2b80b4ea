package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.Address;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;

/**
 * What a running origin does with edits to its maps folder that change no rendered document: an
 * endpoint property's new value is served (the properties are no document of their own), and a
 * folder its query code would refuse is refused whole, the documents served staying as they were.
 */
class OriginFolderChangesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private Origin start(Path maps) throws IOException {
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        return Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, Duration.ofHours(1),
                Duration.ofSeconds(60), List.of(), "folder-test", null));
    }

    private Path copyOfTheSampleMaps() throws IOException {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        try (var files = Files.list(Path.of("../conf/maps"))) {
            for (Path f : files.toList()) {
                Files.copy(f, maps.resolve(f.getFileName()));
            }
        }
        return maps;
    }

    private String access(Origin origin) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + "/endpointprop"))
                .header("Content-Type", "application/alto-endpointpropparams+json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"properties\":[\"access\"],\"endpoints\":[\"ipv4:128.36.1.10\"]}")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void replace(Path file, String from, String to) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Files.readString(file).replace(from, to));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void anEndpointPropertysNewValueIsServed() throws Exception {
        Path maps = copyOfTheSampleMaps();
        try (Origin origin = start(maps)) {
            assertTrue(access(origin).contains("adsl-512k-2m"), access(origin));
            replace(maps.resolve("endpoint-properties.json"), "adsl-512k-2m", "vdsl-100m");
            awaitPage("the new access value served", () -> access(origin), page -> page.contains("vdsl-100m"));
        }
    }

    @Test
    void aFolderTheQueryCodeWouldRefuseIsRefusedAndTheServedDocumentsStay() throws Exception {
        Path maps = copyOfTheSampleMaps();
        try (Origin origin = start(maps); CapturedLogs watcher = CapturedLogs.of(MapsWatcher.class)) {
            String before = access(origin);
            // a second endpoint-properties file, with another value: refused whole, not half taken
            Files.writeString(maps.resolve("more-properties.json"),
                    "{\"endpoint-properties\":{\"ipv4:128.36.1.10\":{\"access\":\"vdsl-100m\"}}}");
            replace(maps.resolve("endpoint-properties.json"), "ftth-1g", "ftth-10g");
            watcher.awaitMessage("several endpoint-properties files", DEADLINE);
            assertTrue(access(origin).equals(before), "the folder was refused: " + access(origin));
        }
    }

    private String networkMap(Origin origin) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + "/networkmap/default-network-map")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void anEditThatKeepsTheVtagTheOperatorWroteIsRefusedAndTheServedVersionStays() throws Exception {
        // a vtag names one version (RFC 7285 §10.3): clients and update streams that hold it take
        // the map as the one they hold, so new bytes under the old tag would never reach them
        Path maps = copyOfTheSampleMaps();
        Path file = maps.resolve("default-network-map.json");
        replace(file, "\"resource-id\": \"default-network-map\"", "\"resource-id\": \"default-network-map\", \"tag\": \"nm-1\"");
        try (Origin origin = start(maps); CapturedLogs log = CapturedLogs.of(Origin.class)) {
            String before = networkMap(origin);
            assertTrue(before.contains("\"nm-1\"") && before.contains("130.132.3.0/24"), before);
            replace(file, "130.132.3.0/24", "130.132.4.0/24");
            log.awaitMessage("keeps its vtag", DEADLINE);
            assertTrue(networkMap(origin).equals(before), "refused: " + networkMap(origin));

            replace(file, "\"nm-1\"", "\"nm-2\""); // the operator gives the new version its own tag
            awaitServed(origin, "130.132.4.0/24");
            assertTrue(networkMap(origin).contains("\"nm-2\""), networkMap(origin));
        }
    }

    /**
     * An operator's edit refused leaves the origin, and every proxy after it, on the last good
     * version, fresh as it looks: /metrics says so ({@code rproxy_maps_refused}), 1 until a change
     * is served again, whether the folder did not read or its publishing was refused. Only the
     * log said it.
     */
    @Test
    void aRefusedChangeShowsOnTheMetricsUntilAChangeIsServedAgain() throws Exception {
        Path maps = copyOfTheSampleMaps();
        try (Origin origin = start(maps)) {
            String metrics = "http://127.0.0.1:" + origin.startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
            awaitRefused(metrics, "0.0");
            Path costs = maps.resolve("routingcost-map.json");
            replace(costs, "\"PID3\": 10}", "\"PID9\": 10}"); // a PID the network map lacks
            awaitRefused(metrics, "1.0");
            replace(costs, "\"PID9\": 10}", "\"PID3\": 10}");
            awaitRefused(metrics, "0.0");

            Path network = maps.resolve("default-network-map.json");
            replace(network, "\"resource-id\": \"default-network-map\"", "\"resource-id\": \"default-network-map\", \"tag\": \"nm-1\"");
            awaitServed(origin, "\"nm-1\"");
            replace(network, "130.132.3.0/24", "130.132.4.0/24"); // new bytes under the tag served: refused
            awaitRefused(metrics, "1.0");
        }
    }

    private void awaitRefused(String metrics, String value) {
        String line = "rproxy_maps_refused " + value;
        awaitPage("a line '" + line + "' on /metrics", () -> http.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
                HttpResponse.BodyHandlers.ofString()).body(), page -> page.lines().anyMatch(line::equals));
    }

    private void awaitServed(Origin origin, String part) {
        awaitPage("the network map served with " + part, () -> networkMap(origin), page -> page.contains(part));
    }

    /** A page read over HTTP. */
    private interface Page {
        String read() throws IOException, InterruptedException;
    }

    /**
     * Waits ({@link Eventually#await}) until the page {@code read} returns is {@code wanted}; the
     * failure says what never came and shows the page last read.
     */
    private static void awaitPage(String what, Page read, Predicate<String> wanted) {
        AtomicReference<String> last = new AtomicReference<>("");
        try {
            Eventually.await(what, DEADLINE, () -> {
                try {
                    last.set(read.read());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false; // Eventually fails saying it was interrupted
                }
                return wanted.test(last.get());
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last read:\n" + last.get(), e);
        }
    }
}

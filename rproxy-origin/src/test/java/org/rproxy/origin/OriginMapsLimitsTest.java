package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;

/**
 * A running origin whose maps folder grows past the limits of one load ({@link MapsLimits}: more
 * files, more bytes, a network map larger than a tree may be) refuses the folder with a log line
 * naming the limit, and keeps serving the maps it had; one started on such a folder does not
 * start. The limits are set small here, so that the files stay small.
 */
class OriginMapsLimitsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final ServedDocuments served = new ServedDocuments();

    private OriginConfig config(Path maps, MapsLimits limits) throws IOException {
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        return new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, Duration.ofHours(1),
                Duration.ofSeconds(60), List.of(), "limits-test", null).withMapsLimits(limits);
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

    private HttpResponse<String> get(Origin origin, String path) throws IOException, InterruptedException {
        return served.get(origin, path);
    }

    /** Writes {@code file} whole, by a rename, as a deploy does. */
    private static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The sample routing cost map as one of cost metric {@code metric} (one cost map per cost
     * type), with {@code padding} spaces inside its costs (streamed, not a tree).
     */
    private static String costMap(Path maps, String metric, int padding) throws IOException {
        return Files.readString(maps.resolve("routingcost-map.json"))
                .replace("\"cost-metric\": \"routingcost\"", "\"cost-metric\": \"" + metric + "\"")
                .replace("\"cost-map\": {", "\"cost-map\": {" + " ".repeat(padding));
    }

    private void awaitServed(Origin origin, String path) throws Exception {
        served.awaitServed(origin, path, DEADLINE);
    }

    @Test
    void aFolderWithMoreFilesThanTheLimitIsRefusedAndTheServedMapsStay() throws Exception {
        Path maps = copyOfTheSampleMaps(); // 4 files
        try (Origin origin = Origin.start(config(maps, new MapsLimits(20_000, 200_000, 5)));
             CapturedLogs log = CapturedLogs.of(MapsWatcher.class)) {
            String directory = get(origin, "/directory").body();
            write(maps.resolve("extra-1.json"), costMap(maps, "extra-1", 0));
            write(maps.resolve("extra-2.json"), costMap(maps, "extra-2", 0));
            log.awaitMessage("6 maps files, over the limit of 5 (--max-maps-documents)", DEADLINE);
            assertEquals(directory, get(origin, "/directory").body());
            assertEquals(404, get(origin, "/costmap/extra-1").statusCode());

            Files.delete(maps.resolve("extra-2.json")); // within the limit again: loaded
            awaitServed(origin, "/costmap/extra-1");
        }
    }

    @Test
    void aFolderWithMoreBytesThanTheLimitIsRefusedAndTheServedMapsStay() throws Exception {
        Path maps = copyOfTheSampleMaps(); // 1,328 bytes
        try (Origin origin = Origin.start(config(maps, new MapsLimits(20_000, 5_000, 10)));
             CapturedLogs log = CapturedLogs.of(MapsWatcher.class)) {
            String directory = get(origin, "/directory").body();
            write(maps.resolve("extra.json"), costMap(maps, "extra", 4_000));
            log.awaitMessage("bytes in 5 maps files, over the limit of 5000 bytes for a maps folder"
                    + " (--max-maps-total-size)", DEADLINE);
            assertEquals(directory, get(origin, "/directory").body());
            assertEquals(404, get(origin, "/costmap/extra").statusCode());

            write(maps.resolve("extra.json"), costMap(maps, "extra", 2_000)); // within it: loaded
            awaitServed(origin, "/costmap/extra");
        }
    }

    @Test
    void aNetworkMapOverTheTreeLimitIsRefusedWhileACostMapOfThatSizeIsRead() throws Exception {
        Path maps = copyOfTheSampleMaps();
        try (Origin origin = Origin.start(config(maps, new MapsLimits(20_000, 500_000, 10)));
             CapturedLogs log = CapturedLogs.of(MapsWatcher.class)) {
            // a cost map's costs go into the compact table, not a tree: the tree limit is not theirs
            write(maps.resolve("big-costs.json"), costMap(maps, "big", 60_000));
            awaitServed(origin, "/costmap/big-costs");

            String before = get(origin, "/networkmap/default-network-map").body();
            Path net = maps.resolve("default-network-map.json");
            write(net, Files.readString(net).replace("\"network-map\": {", "\"network-map\": {" + " ".repeat(30_000))
                    .replace("130.132.3.0/24", "130.132.4.0/24"));
            log.awaitMessage("over the limit of 20000 bytes for a network map or endpoint properties file"
                    + " (--max-network-map-size)", DEADLINE);
            assertEquals(before, get(origin, "/networkmap/default-network-map").body());
        }
    }

    @Test
    void anOriginStartedOnAFolderOverTheLimitDoesNotStartAndSaysWhichLimit() throws Exception {
        Path maps = copyOfTheSampleMaps();
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class,
                () -> Origin.start(config(maps, new MapsLimits(20_000, 1_000, 10))).close());
        assertTrue(e.getMessage().contains("over the limit of 1000 bytes for a maps folder (--max-maps-total-size)"),
                e.getMessage());
    }
}

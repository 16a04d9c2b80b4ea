package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;

/**
 * A maps file changed while the origin starts (here: right after its first load, before it
 * serves) is picked up once the origin runs: the folder is watched before it is first read, and
 * the deletion hold starts from the files that load read.
 */
class OriginStartWhileFolderChangesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private OriginConfig config(Path maps) throws IOException {
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        return new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, Duration.ofHours(1),
                Duration.ofSeconds(60), List.of(), "start-test", null);
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

    /** Loads as the origin does; once the first load is done, {@code change} runs (before the origin serves). */
    private static MapsWatcher.Loader thenOnce(IoStep change) {
        AtomicInteger loads = new AtomicInteger();
        return d -> {
            MapsFolder.Loaded loaded = MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
            if (loads.incrementAndGet() == 1) {
                change.run();
            }
            return loaded;
        };
    }

    private interface IoStep {
        void run() throws IOException;
    }

    private HttpResponse<String> get(Origin origin, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFileReplacedWhileTheOriginStartsIsServedOnceItRuns() throws Exception {
        Path maps = copyOfTheSampleMaps();
        Path costs = maps.resolve("routingcost-map.json");
        Path next = dir.resolve("routingcost-map.json.new");
        Files.writeString(next, Files.readString(costs).replace("\"PID1\": {\"PID2\": 5", "\"PID1\": {\"PID2\": 6"));
        MapsWatcher.Loader loader = thenOnce(() -> Files.move(next, costs, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING));
        try (Origin origin = Origin.start(config(maps), Clock.systemUTC(), null, loader)) {
            long end = System.nanoTime() + DEADLINE.toNanos();
            String body = get(origin, "/costmap/routingcost-map").body();
            while (!body.contains("\"PID2\":6")) {
                assertTrue(System.nanoTime() < end, "replaced while starting, still served after " + DEADLINE + ": " + body);
                Thread.sleep(100);
                body = get(origin, "/costmap/routingcost-map").body();
            }
        }
    }

    @Test
    void aFileDeletedWhileTheOriginStartsIsHeldForTheSettlePeriodThenDropped() throws Exception {
        Path maps = copyOfTheSampleMaps();
        MapsWatcher.Loader loader = thenOnce(() -> Files.delete(maps.resolve("hopcount-map.json")));
        try (CapturedLogs logs = CapturedLogs.of(MapsWatcher.class);
             Origin origin = Origin.start(config(maps).withDeleteSettle(Duration.ofSeconds(1)), Clock.systemUTC(), null,
                     loader)) {
            assertEquals(200, get(origin, "/costmap/hopcount-map").statusCode());
            logs.awaitMessage("hopcount-map.json was deleted", DEADLINE);
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (get(origin, "/costmap/hopcount-map").statusCode() != 404) {
                assertTrue(System.nanoTime() < end, "deleted while starting, still served after " + DEADLINE);
                Thread.sleep(100);
            }
            logs.awaitMessage("hopcount-map.json has stayed deleted", DEADLINE);
        }
    }

    @Test
    void theFirstLoadIsReadAgainWhileTheFolderChangesUnderItABoundedNumberOfTimes() throws Exception {
        Path maps = copyOfTheSampleMaps();
        AtomicInteger loads = new AtomicInteger();
        MapsWatcher.Loader twiceUnsteady = d -> {
            if (loads.incrementAndGet() <= 2) {
                throw new FolderStamp.Changed(d + ": changed while being read (costs.json was written to)");
            }
            return MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
        };
        try (MapsWatcher w = new MapsWatcher(maps, Duration.ofMillis(20), Duration.ZERO, twiceUnsteady)) {
            assertEquals(2, w.loadFirst().costMaps().size());
            assertEquals(3, loads.get());
        }
        loads.set(0);
        MapsWatcher.Loader neverStill = d -> {
            loads.incrementAndGet();
            throw new FolderStamp.Changed(d + ": changed while being read (costs.json was written to)");
        };
        try (MapsWatcher w = new MapsWatcher(maps, Duration.ofMillis(20), Duration.ZERO, neverStill)) {
            FolderStamp.Changed e = assertThrows(FolderStamp.Changed.class, w::loadFirst);
            assertTrue(e.getMessage().contains(MapsWatcher.MAX_UNSTEADY_LOADS + " reads in a row"), e.getMessage());
            assertEquals(MapsWatcher.MAX_UNSTEADY_LOADS, loads.get());
        }
    }
}

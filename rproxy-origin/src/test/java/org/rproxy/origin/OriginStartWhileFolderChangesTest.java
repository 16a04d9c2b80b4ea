package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;

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
        Logger watcherLog = (Logger) LoggerFactory.getLogger(MapsWatcher.class);
        Level was = watcherLog.getLevel();
        watcherLog.setLevel(Level.INFO); // a deletion alone is logged at INFO
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
        } finally {
            watcherLog.setLevel(was);
        }
    }

    /**
     * A deploy still writing when the origin starts (rsync of a large cost map, a generator
     * rewriting its output) keeps the folder changing for longer than a few quick reads: the
     * origin waits for it to hold still and starts then, rather than refusing to start. The
     * deploy writes every 30 ms for 4 s against a quiet period of 600 ms on this origin (the
     * product's 150 ms is reached by a loaded machine's scheduling of the writer alone: six
     * reads were seen at load 30): so the folder keeps changing for six quiet periods, and an
     * origin reading again once per quiet period whatever the folder does, or at each change,
     * reads more often than four times. Each read again comes a full quiet period after the one
     * before, whatever the machine's speed.
     */
    @Test
    void anOriginStartedWhileTheFolderIsWrittenToForSecondsStartsOnceItHoldsStill() throws Exception {
        Duration quiet = Duration.ofMillis(600);
        Path maps = copyOfTheSampleMaps();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<long[]> reads = new CopyOnWriteArrayList<>(); // each read's start and end, nanoTime
        // what the stamps see while the deploy writes: every read finds the folder changed
        MapsWatcher.Loader stamped = d -> {
            long[] read = {System.nanoTime(), 0};
            try {
                if (writing.get()) {
                    throw new FolderStamp.Changed(d + ": changed while being read (routingcost-map.json was written to)");
                }
                return MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
            } finally {
                read[1] = System.nanoTime();
                reads.add(read);
            }
        };
        Thread deploy = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            try {
                for (int i = 0; System.nanoTime() < end; i++) {
                    Files.writeString(maps.resolve("incoming.json"), "part " + i); // a maps file: one the watch sees
                    Thread.sleep(30);
                }
                Files.delete(maps.resolve("incoming.json"));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                writing.set(false);
            }
        }, "deploy");
        deploy.start();
        try (CapturedLogs logs = CapturedLogs.of(MapsWatcher.class);
             Origin origin = Origin.start(config(maps), Clock.systemUTC(), null, stamped, quiet)) {
            assertFalse(writing.get(), "served before the deploy ended");
            assertEquals(200, get(origin, "/costmap/routingcost-map").statusCode());
            for (int i = 1; i < reads.size(); i++) {
                long after = reads.get(i)[0] - reads.get(i - 1)[1];
                assertTrue(after >= quiet.toNanos(), "read " + (i + 1) + " came " + TimeUnit.NANOSECONDS.toMillis(after)
                        + " ms after the one before, not a quiet period (" + quiet.toMillis() + " ms)");
            }
            assertTrue(reads.size() <= 4, reads.size() + " reads: not waiting for the folder to hold still");
            logs.awaitMessage("reading it again once it has been quiet for", DEADLINE);
        } finally {
            deploy.join();
        }
    }

    /**
     * A maps folder of links (as a deploy tool makes them, each file linked to its release) whose
     * target is written to (every 30 ms for 3 s) while the origin starts: no event of the folder
     * tells of it, but its stamps follow the link, so each read finds it changed. The first load waits for the target
     * to hold still, as the watcher does later, instead of reading again after every quiet period.
     */
    @Test
    void theFirstLoadWaitsForTheTargetOfALinkedMapsFileToHoldStill() throws Exception {
        Path maps = copyOfTheSampleMaps();
        Path release = Files.createDirectories(dir.resolve("release"));
        Path costs = maps.resolve("routingcost-map.json");
        Files.move(costs, release.resolve("routingcost-map.json"));
        Files.createSymbolicLink(costs, release.resolve("routingcost-map.json"));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger loads = new AtomicInteger();
        // what the stamps see while the target is written to: every read finds the folder changed
        MapsWatcher.Loader stamped = d -> {
            loads.incrementAndGet();
            if (writing.get()) {
                throw new FolderStamp.Changed(d + ": changed while being read (routingcost-map.json was written to)");
            }
            return MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
        };
        String body = Files.readString(release.resolve("routingcost-map.json"));
        Thread deploy = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            try {
                for (int i = 0; System.nanoTime() < end; i++) {
                    Files.writeString(release.resolve("routingcost-map.json"), body + " ".repeat(i % 2)); // through no event
                    Thread.sleep(30);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                writing.set(false);
            }
        }, "deploy");
        // a quiet period the 30 ms between writes stays well within on a loaded machine
        try (MapsWatcher w = new MapsWatcher(maps, Duration.ofMillis(500), Duration.ZERO, stamped)) {
            deploy.start();
            assertEquals(2, w.loadFirst().costMaps().size());
            assertTrue(loads.get() <= 3, loads.get() + " reads: not waiting for the link's target to hold still");
        } finally {
            deploy.join();
        }
    }

    @Test
    void theFirstLoadIsReadAgainWhileTheFolderChangesUnderItForABoundedTime() throws Exception {
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
        long started = System.nanoTime();
        try (MapsWatcher w = new MapsWatcher(maps, Duration.ofMillis(20), Duration.ZERO, neverStill, Duration.ofSeconds(1))) {
            FolderStamp.Changed e = assertThrows(FolderStamp.Changed.class, w::loadFirst);
            long waited = System.nanoTime() - started;
            assertTrue(e.getMessage().contains("costs.json was written to); it kept changing for 1s ("), e.getMessage());
            assertTrue(e.getMessage().contains("reads), so the origin does not start"), e.getMessage());
            assertTrue(waited >= TimeUnit.SECONDS.toNanos(1) && waited < TimeUnit.SECONDS.toNanos(5), waited + " ns");
            assertTrue(loads.get() > 1, loads.get() + " reads");
        }
    }
}

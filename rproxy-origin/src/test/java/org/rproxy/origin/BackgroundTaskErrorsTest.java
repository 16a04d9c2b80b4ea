package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.model.MapSet;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;

/**
 * What the origin's background work throws is logged, and the work goes on: one {@link Error}
 * out of a load, a re-signing or a round of the folder watcher used to stop it for good, with no
 * log line. An {@link OutOfMemoryError} stops the node instead (here: the fatal handler a test
 * gives, where a running node's ends the process).
 */
@SuppressWarnings("try") // a watcher held open for the test's duration, not referenced
class BackgroundTaskErrorsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path maps() throws IOException {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        for (String f : List.of("default-network-map.json", "routingcost-map.json")) {
            Files.copy(Path.of("../conf/maps").resolve(f), maps.resolve(f));
        }
        return maps;
    }

    private OriginConfig config(Path maps, Duration validity) throws IOException {
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        return new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, validity,
                validity.dividedBy(2), List.of(), "errors-test", null);
    }

    /** A source that reads {@code maps}, and throws {@code error} at its third load. */
    private static MapSource failingOnce(Path maps, AtomicInteger loads, Error error) {
        return () -> {
            if (loads.incrementAndGet() == 3) {
                throw error;
            }
            return MapsFolder.load(maps);
        };
    }

    @Test
    void anErrorInOneReloadOfTheSigningFrontIsLoggedAndTheReloadsGoOn() throws Exception {
        Path maps = maps();
        AtomicInteger loads = new AtomicInteger();
        MapSource source = failingOnce(maps, loads, new StackOverflowError("simulated: a deeply nested document"));
        try (CapturedLogs logs = CapturedLogs.of(Origin.class);
             Origin front = Origin.start(config(null, Duration.ofHours(1)), source, Duration.ofMillis(100),
                     Clock.systemUTC())) {
            logs.awaitMessage("reloading the maps failed", DEADLINE);
            int after = loads.get();
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (loads.get() < after + 3) {
                assertTrue(System.nanoTime() < end, "no load since the error: " + loads.get() + " in all, " + front.baseUri());
                Thread.sleep(50);
            }
        }
    }

    @Test
    void anOutOfMemoryErrorInAReloadIsLoggedAndStopsTheNode() throws Exception {
        Path maps = maps();
        BlockingQueue<Throwable> stopped = new LinkedBlockingQueue<>();
        OutOfMemoryError oom = new OutOfMemoryError("simulated: Java heap space");
        TaskGuard guard = new TaskGuard((task, e) -> stopped.add(e));
        try (CapturedLogs logs = CapturedLogs.of(Origin.class);
             Origin front = Origin.start(config(null, Duration.ofHours(1)), failingOnce(maps, new AtomicInteger(), oom),
                     Duration.ofMillis(100), Clock.systemUTC(), guard)) {
            assertEquals(oom, stopped.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS), "not stopped, " + front.baseUri());
            logs.awaitMessage("reloading the maps failed with java.lang.OutOfMemoryError", DEADLINE);
            logs.awaitMessage("stopping the node (exit status 1)", DEADLINE);
        }
    }

    @Test
    void anErrorWhileReSigningIsLoggedAndTheNextReSigningHappens() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        FailingPublisherClock clock = new FailingPublisherClock();
        // validity 10 s: re-signed every 5 s; only signing reads the clock while no query is asked
        try (CapturedLogs logs = CapturedLogs.of(Origin.class);
             Origin origin = Origin.start(config(maps(), Duration.ofSeconds(10)), clock)) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(origin.baseUri() + "/networkmap/default-network-map")).build();
            String first = http.send(get, HttpResponse.BodyHandlers.discarding()).headers().firstValue("etag").orElseThrow();
            clock.fail(1, () -> new StackOverflowError("simulated, while re-signing"));
            assertTrue(clock.first.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "no re-signing within " + DEADLINE);
            logs.awaitMessage("re-signing failed", DEADLINE);
            String now = first;
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (now.equals(first)) {
                assertTrue(System.nanoTime() < end, "not re-signed since the error (ETag still " + first + ")");
                Thread.sleep(200);
                now = http.send(get, HttpResponse.BodyHandlers.discarding()).headers().firstValue("etag").orElseThrow();
            }
            assertNotEquals(first, now);
        }
    }

    @Test
    void anErrorInARoundOfTheFolderWatcherIsLoggedAndTheWatcherGoesOn() throws Exception {
        Path maps = maps();
        AtomicInteger loads = new AtomicInteger();
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        BlockingQueue<Throwable> stopped = new LinkedBlockingQueue<>();
        MapsWatcher.Loader loader = d -> {
            int n = loads.incrementAndGet(); // 1: the first load; 2: the first change
            if (n == 2) {
                throw new StackOverflowError("simulated");
            }
            if (n == 3) {
                throw new OutOfMemoryError("simulated");
            }
            return MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
        };
        Path costs = maps.resolve("routingcost-map.json");
        String text = Files.readString(costs);
        try (CapturedLogs logs = CapturedLogs.of(Origin.class);
             MapsWatcher w = StartedWatchers.started(maps, Duration.ofMillis(50), Duration.ZERO, loader, loaded::add,
                     r -> { }, new TaskGuard((task, e) -> stopped.add(e)))) {
            Files.writeString(costs, text.replace("\"PID2\": 5", "\"PID2\": 6"));
            logs.awaitMessage("reading the maps folder failed, and runs again", DEADLINE);
            Files.writeString(costs, text.replace("\"PID2\": 5", "\"PID2\": 7"));
            Throwable fatal = stopped.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(fatal instanceof OutOfMemoryError, "the fatal handler was given " + fatal);
            Files.writeString(costs, text.replace("\"PID2\": 5", "\"PID2\": 8"));
            MapSet next = loaded.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(next, "the watcher stopped after the error");
            assertEquals(8.0, next.costMaps().get("routingcost-map").cost("PID1", "PID2"));
        }
    }
}

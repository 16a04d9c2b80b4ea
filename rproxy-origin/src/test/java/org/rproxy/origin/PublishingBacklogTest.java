package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.Eventually;

/**
 * Folder states the watcher loads faster than the publisher can sign them (a generator rewriting
 * a large cost map every few seconds, the publisher busy signing the last one) do not queue up:
 * each held its whole maps until its turn, without bound, and each was signed and streamed in
 * turn though a newer one was waiting. Only the newest waiting state is published. And what the
 * origin shows of the folder's last state ({@code rproxy_maps_refused}) follows the states in the
 * order they were read, however long the publisher takes.
 */
class PublishingBacklogTest {
    private static final long SECONDS = 20;
    private static final String COSTS = "/costmap/routingcost-map";

    @TempDir
    Path dir;

    @Test
    void statesLoadedWhileThePublisherIsBusyAreNotQueuedOnlyTheNewestIsPublished() throws Exception {
        OriginConfig config = sampleOrigin();
        Path maps = config.maps();
        BlockingQueue<MapSet> loads = new LinkedBlockingQueue<>();
        MapsWatcher.Loader loader = d -> {
            MapsFolder.Loaded l = MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
            loads.add(l.maps());
            return l;
        };
        BlockingQueue<String> published = new LinkedBlockingQueue<>();
        HeldPublisher stream = new HeldPublisher(documents -> published.add(documents.get(COSTS).identity().body().asUtf8()));
        try (Origin origin = Origin.start(config, Clock.systemUTC(), stream, loader)) {
            assertNotNull(loads.poll(SECONDS, TimeUnit.SECONDS), "the first load");
            for (int cost = 101; cost <= 104; cost++) {
                write(maps, cost);
                MapSet loaded = loads.poll(SECONDS, TimeUnit.SECONDS);
                assertNotNull(loaded, "cost " + cost + " was not loaded");
                assertEquals(cost, loaded.costMaps().get("routingcost-map").cost("PID1", "PID2"));
                if (cost == 101) {
                    assertTrue(stream.awaitBusy(Duration.ofSeconds(SECONDS)), "the first change was never published");
                }
            }
            // The watcher hands a load on after the loader returns (unless the folder changed meanwhile).
            Eventually.await("the last state handed on", Duration.ofSeconds(SECONDS), () -> origin.waitingChange() != null
                    && origin.waitingChange().costMaps().get("routingcost-map").cost("PID1", "PID2") == 104);
            stream.release();
            assertTrue(published.poll(SECONDS, TimeUnit.SECONDS).contains("\"PID2\":101"), "the first change");
            String next = published.poll(SECONDS, TimeUnit.SECONDS);
            assertNotNull(next, "nothing published once the publisher was free again");
            assertTrue(next.contains("\"PID2\":104"), "published after 101: " + next + " (not the newest, 104)");
        }
    }

    /**
     * A good edit being signed, and then an edit refused: {@code rproxy_maps_refused} stays 1,
     * the folder's last state being the one refused. The refusal was set on the watcher's thread
     * at once, and the good edit's publishing, ending after it, set it back to 0 for good.
     */
    @Test
    void aChangeRefusedWhileTheOneBeforeIsPublishedStaysShownRefused() throws Exception {
        OriginConfig config = sampleOrigin();
        AtomicReference<Thread> watcher = new AtomicReference<>();
        AtomicBoolean refusedRead = new AtomicBoolean();
        MapsWatcher.Loader loader = d -> {
            watcher.set(Thread.currentThread());
            try {
                return MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
            } catch (MapsFolder.MapsFolderException e) {
                refusedRead.set(true);
                throw e;
            }
        };
        HeldPublisher stream = new HeldPublisher(documents -> { });
        HttpClient http = HttpClient.newHttpClient();
        try (Origin origin = Origin.start(config, Clock.systemUTC(), stream, loader)) {
            URI metrics = URI.create("http://127.0.0.1:" + origin.startAdmin(new Address("127.0.0.1", 0)).getPort()
                    + "/metrics");
            write(config.maps(), 101); // a good edit: published, and held in its hand-over to the stream
            assertTrue(stream.awaitBusy(Duration.ofSeconds(SECONDS)), "the good edit was never published");
            Path file = config.maps().resolve("routingcost-map.json");
            Path tmp = config.maps().resolve(".routingcost-map.json.tmp");
            Files.writeString(tmp, Files.readString(file).replaceFirst("\"PID3\": 10}", "\"PID9\": 10}"));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE); // no such PID
            // the watcher waits for the next change only once it has told the origin of the refusal
            Eventually.await("the watcher read the refused edit and went back to waiting", Duration.ofSeconds(SECONDS),
                    () -> refusedRead.get() && waitsForAChange(watcher.get()));
            stream.release();
            origin.publisherPassed().get(SECONDS, TimeUnit.SECONDS);
            List<String> shown = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                    .body().lines().filter(l -> l.startsWith("rproxy_maps_refused")).toList();
            assertEquals(List.of("rproxy_maps_refused 1.0"), shown, "the folder's last state was refused, after the good edit");
        } finally {
            stream.release();
        }
    }

    private static boolean waitsForAChange(Thread watcher) {
        return watcher != null && Arrays.stream(watcher.getStackTrace()).anyMatch(
                f -> f.getClassName().equals(MapsWatcher.class.getName()) && f.getMethodName().equals("awaitChange"));
    }

    /** An origin's settings serving a copy of the sample maps, with a key of its own. */
    private OriginConfig sampleOrigin() throws IOException {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        try (var files = Files.list(Path.of("../conf/maps"))) {
            for (Path f : files.toList()) {
                Files.copy(f, maps.resolve(f.getFileName()));
            }
        }
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        return new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, Duration.ofHours(1),
                Duration.ofSeconds(60), List.of(), "backlog-test", null).withDeleteSettle(Duration.ZERO);
    }

    /** Rewrites the cost map with {@code cost} from PID1 to PID2, whole (renamed in). */
    private static void write(Path maps, int cost) throws IOException {
        Path file = maps.resolve("routingcost-map.json");
        Path tmp = maps.resolve(".routingcost-map.json.tmp");
        Files.writeString(tmp, Files.readString(file).replaceFirst("\"PID2\": \\d+", "\"PID2\": " + cost));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

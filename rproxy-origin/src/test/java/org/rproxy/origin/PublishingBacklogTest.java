package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.UpdateStreamMount;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.Eventually;

/**
 * Folder states the watcher loads faster than the publisher can sign them (a generator rewriting
 * a large cost map every few seconds, the publisher busy signing the last one) do not queue up:
 * each held its whole maps until its turn, without bound, and each was signed and streamed in
 * turn though a newer one was waiting. Only the newest waiting state is published.
 */
class PublishingBacklogTest {
    private static final long SECONDS = 20;
    private static final String COSTS = "/costmap/routingcost-map";

    @TempDir
    Path dir;

    @Test
    void statesLoadedWhileThePublisherIsBusyAreNotQueuedOnlyTheNewestIsPublished() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        try (var files = Files.list(Path.of("../conf/maps"))) {
            for (Path f : files.toList()) {
                Files.copy(f, maps.resolve(f.getFileName()));
            }
        }
        Path key = dir.resolve("origin.key");
        Files.writeString(key, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        OriginConfig config = new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, Duration.ofHours(1),
                Duration.ofSeconds(60), List.of(), "backlog-test", null).withDeleteSettle(Duration.ZERO);

        BlockingQueue<MapSet> loads = new LinkedBlockingQueue<>();
        MapsWatcher.Loader loader = d -> {
            MapsFolder.Loaded l = MapsWatcher.loader(MapsFolder.DEFAULT_MAX_FILE_BYTES).load(d);
            loads.add(l.maps());
            return l;
        };
        BlockingQueue<String> published = new LinkedBlockingQueue<>();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean started = new AtomicBoolean();
        // The publisher hands each version to the stream on its own thread: blocking there keeps it busy.
        UpdateStreamMount stream = new UpdateStreamMount() {
            @Override
            public String path() {
                return "/updates";
            }

            @Override
            public AltoService wrap(AltoService documents) {
                return documents;
            }

            @Override
            public void installed(Map<String, Representation> documents) {
                if (!started.compareAndSet(false, true)) {
                    published.add(documents.get(COSTS).identity().body().asUtf8());
                    busy.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (Origin origin = Origin.start(config, Clock.systemUTC(), stream, loader)) {
            assertNotNull(loads.poll(SECONDS, TimeUnit.SECONDS), "the first load");
            for (int cost = 101; cost <= 104; cost++) {
                write(maps, cost);
                MapSet loaded = loads.poll(SECONDS, TimeUnit.SECONDS);
                assertNotNull(loaded, "cost " + cost + " was not loaded");
                assertEquals(cost, loaded.costMaps().get("routingcost-map").cost("PID1", "PID2"));
                if (cost == 101) {
                    assertTrue(busy.await(SECONDS, TimeUnit.SECONDS), "the first change was never published");
                }
            }
            // The watcher hands a load on after the loader returns (unless the folder changed meanwhile).
            Eventually.await("the last state handed on", Duration.ofSeconds(SECONDS), () -> origin.waitingChange() != null
                    && origin.waitingChange().costMaps().get("routingcost-map").cost("PID1", "PID2") == 104);
            release.countDown();
            assertTrue(published.poll(SECONDS, TimeUnit.SECONDS).contains("\"PID2\":101"), "the first change");
            String next = published.poll(SECONDS, TimeUnit.SECONDS);
            assertNotNull(next, "nothing published once the publisher was free again");
            assertTrue(next.contains("\"PID2\":104"), "published after 101: " + next + " (not the newest, 104)");
        }
    }

    /** Rewrites the cost map with {@code cost} from PID1 to PID2, whole (renamed in). */
    private static void write(Path maps, int cost) throws IOException {
        Path file = maps.resolve("routingcost-map.json");
        Path tmp = maps.resolve(".routingcost-map.json.tmp");
        Files.writeString(tmp, Files.readString(file).replaceFirst("\"PID2\": \\d+", "\"PID2\": " + cost));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;


import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.model.MapSet;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;

@SuppressWarnings("try") // resources held open for the test's duration, not referenced
class MapsWatcherTest {

    private static final String MAP = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]},\"PID2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    private static final String COSTS = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"net\"}],"
            + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
            + "\"cost-map\":{\"PID1\":{\"PID2\":%d}}}";

    @Test
    void aValidChangeIsLoadedAndAnInvalidOneIsSkippedKeepingTheLastGood(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5));
        MapSet first = MapsFolder.load(dir);
        BlockingQueue<MapSet> seen = new LinkedBlockingQueue<>();
        try (MapsWatcher w = StartedWatchers.started(dir, Duration.ofMillis(50), Duration.ZERO, seen::add, r -> { })) {
            Files.writeString(dir.resolve("costs.json"), "{\"cost-map\": {\"PID1\": {\"PID9\": 1}"); // broken
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 7));
            MapSet next = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "no reload within 10 s");
            assertEquals(7.0, next.costMaps().get("costs").cost("PID1", "PID2"));
            assertNotEquals(first.costMaps().get("costs").vtag().tag(), next.costMaps().get("costs").vtag().tag());
        }
    }

    /**
     * An operator who fixes a refused change by putting back what is served learns that the
     * folder reads again: before, the refusal was the last line, as the reload changed nothing
     * and published nothing, and nothing told the fix had been taken.
     */
    @Test
    void aFolderThatReadsAgainAfterARefusalSaysSo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5));
        BlockingQueue<MapSet> seen = new LinkedBlockingQueue<>();
        BlockingQueue<String> refused = new LinkedBlockingQueue<>();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(MapsWatcher.class);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO); // the tests' logging may be quieter
        try (MapsWatcher w = StartedWatchers.started(dir, Duration.ofMillis(50), Duration.ZERO, seen::add, refused::add)) {
            Files.writeString(dir.resolve("costs.json"), "{\"cost-map\": {\"PID1\": {\"PID9\": 1}"); // broken
            assertNotNull(refused.poll(10, TimeUnit.SECONDS), "the broken file was not refused within 10 s");
            awaitLog("maps folder change refused");
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5)); // as served
            assertNotNull(seen.poll(10, TimeUnit.SECONDS), "the fixed folder was not loaded within 10 s");
            awaitLog("reads again after the change refused");
            assertTrue(refused.isEmpty(), refused.toString());
        } finally {
            logger.setLevel(level);
        }
    }

    @Test
    void aFolderSwappedInBehindALinkIsWatchedAndLoaded(@TempDir Path dir) throws Exception {
        // a deploy's release folders and a 'current' link swapped to the new one
        Path v1 = Files.createDirectories(dir.resolve("v1"));
        Path v2 = Files.createDirectories(dir.resolve("v2"));
        for (Path v : List.of(v1, v2)) {
            Files.writeString(v.resolve("net.json"), MAP);
        }
        Files.writeString(v1.resolve("costs.json"), String.format(COSTS, 5));
        Files.writeString(v2.resolve("costs.json"), String.format(COSTS, 8));
        Path current = Files.createSymbolicLink(dir.resolve("current"), v1);
        BlockingQueue<MapSet> seen = new LinkedBlockingQueue<>();
        try (MapsWatcher w = StartedWatchers.started(current, Duration.ofMillis(50), Duration.ZERO, seen::add, r -> { })) {
            Path next = Files.createSymbolicLink(dir.resolve("current.new"), v2);
            Files.move(next, current, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            MapSet swapped = seen.poll(15, TimeUnit.SECONDS);
            assertNotNull(swapped, "the new release loaded");
            assertEquals(8.0, swapped.costMaps().get("costs").cost("PID1", "PID2"));
            // and its edits are watched from then on
            Files.writeString(v2.resolve("costs.json"), String.format(COSTS, 9));
            MapSet edited = seen.poll(15, TimeUnit.SECONDS);
            assertNotNull(edited, "an edit in the new release loaded");
            assertEquals(9.0, edited.costMaps().get("costs").cost("PID1", "PID2"));
        }
    }

    /**
     * Files linked into the folder one by one, each pointing where a generator writes it: an edit
     * of a link's target, in place or by a rename over it, is loaded, though the folder's watch
     * sees no event (the links do not change). Before, it was never loaded.
     */
    @Test
    void anEditOfTheTargetOfALinkedFileIsLoaded(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Path generated = Files.createDirectories(dir.resolve("generated"));
        Files.writeString(generated.resolve("net.json"), MAP);
        Files.writeString(generated.resolve("costs.json"), String.format(COSTS, 5));
        Files.createSymbolicLink(maps.resolve("net.json"), generated.resolve("net.json"));
        Files.createSymbolicLink(maps.resolve("costs.json"), generated.resolve("costs.json"));
        BlockingQueue<MapSet> seen = new LinkedBlockingQueue<>();
        try (MapsWatcher w = StartedWatchers.started(maps, Duration.ofMillis(50), Duration.ZERO, seen::add, r -> { })) {
            Files.writeString(generated.resolve("costs.json"), String.format(COSTS, 17));
            MapSet edited = seen.poll(15, TimeUnit.SECONDS);
            assertNotNull(edited, "an edit in place of a linked file's target was not loaded within 15 s");
            assertEquals(17.0, edited.costMaps().get("costs").cost("PID1", "PID2"));
            Path next = Files.writeString(generated.resolve("costs.json.new"), String.format(COSTS, 9));
            Files.move(next, generated.resolve("costs.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            MapSet replaced = seen.poll(15, TimeUnit.SECONDS);
            assertNotNull(replaced, "a linked file's target replaced by a rename was not loaded within 15 s");
            assertEquals(9.0, replaced.costMaps().get("costs").cost("PID1", "PID2"));
        }
    }

    @Test
    void aFolderRenamedOverTheWatchedOneIsWatchedAndLoaded(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Path staged = Files.createDirectories(dir.resolve("maps.new"));
        for (Path v : List.of(maps, staged)) {
            Files.writeString(v.resolve("net.json"), MAP);
        }
        Files.writeString(maps.resolve("costs.json"), String.format(COSTS, 5));
        Files.writeString(staged.resolve("costs.json"), String.format(COSTS, 6));
        BlockingQueue<MapSet> seen = new LinkedBlockingQueue<>();
        try (MapsWatcher w = StartedWatchers.started(maps, Duration.ofMillis(50), Duration.ZERO, seen::add, r -> { })) {
            Files.move(maps, dir.resolve("maps.old"));
            Files.move(staged, maps);
            MapSet swapped = seen.poll(15, TimeUnit.SECONDS);
            assertNotNull(swapped, "the folder renamed in loaded");
            assertEquals(6.0, swapped.costMaps().get("costs").cost("PID1", "PID2"));
        }
    }

    @Test
    void aFolderStateThatDoesNotValidateIsRefusedWithTheFileAndTheField(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        BlockingQueue<String> refused = new LinkedBlockingQueue<>();
        try (MapsWatcher w = StartedWatchers.started(dir, Duration.ofMillis(50), Duration.ZERO, loaded::add, refused::add)) {
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 3).replace("PID2", "PID9"));
            String reason = refused.poll(10, TimeUnit.SECONDS);
            assertNotNull(reason, "no refusal within 10 s");
            assertTrue(reason.contains("costs.json") && reason.contains("PID9"), reason);
            assertNull(loaded.poll());
            Files.delete(dir.resolve("costs.json"));
            MapSet after = loaded.poll(10, TimeUnit.SECONDS);
            assertNotNull(after);
            assertEquals(0, after.costMaps().size());
        }
    }

    @Test
    void filesTheOriginDoesNotReadBeingWrittenToDoNotHoldBackAnEdit(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5));
        BlockingQueue<MapSet> seen = new LinkedBlockingQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        // A generator's log beside its output, an editor's lock file: written more often than the
        // quiet period, they kept the watcher waiting for a quiet that never came, so no edit loaded.
        Thread noise = new Thread(() -> {
            try {
                for (int i = 0; writing.get(); i++) {
                    Files.writeString(dir.resolve("generator.log"), "line " + i + "\n", StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    Files.writeString(dir.resolve(".#costs.json"), "lock " + i);
                    Thread.sleep(2);
                }
            } catch (IOException | InterruptedException e) {
                // the test is over
            }
        }, "noise");
        try (MapsWatcher w = StartedWatchers.started(dir, Duration.ofMillis(300), Duration.ZERO, seen::add, r -> { })) {
            noise.start();
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 7));
            MapSet next = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "the edit was not loaded within 10 s while other files were written");
            assertEquals(7.0, next.costMaps().get("costs").cost("PID1", "PID2"));
        } finally {
            writing.set(false);
            noise.join();
        }
    }

    @Test
    void aFileDeletedAndCopiedBackWithinTheSettlePeriodIsNeverTakenOffTheAir(@TempDir Path dir) throws Exception {
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        try (MapsWatcher w = watchingNetAndCosts(dir, Duration.ofSeconds(3), loaded)) {
            Files.delete(dir.resolve("costs.json"));
            // The deletion is seen (and held) before the new copy arrives: a deploy's delete, then copy.
            awaitLog("costs.json was deleted");
            Files.writeString(dir.resolve("net.json"), MAP.replace("10.0.0.0/8", "11.0.0.0/8")); // an unrelated change
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 8));
            MapSet next = loaded.poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "no reload within 10 s");
            assertEquals(8.0, next.costMaps().get("costs").cost("PID1", "PID2"));
            assertNull(loaded.poll(500, TimeUnit.MILLISECONDS), "one load, with the file back: " + loaded);
        }
    }

    /**
     * A file deleted on purpose (the folder's only change) is dropped after the settle period and
     * named in the log at INFO, found missing and dropped: the folder reads without it, so nothing
     * is amiss. Both lines were WARNs, so every deliberate deletion paged.
     */
    @Test
    void aFileThatStaysDeletedIsDroppedAfterTheSettlePeriodAndNamedInTheLog(@TempDir Path dir) throws Exception {
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        try (MapsWatcher w = watchingNetAndCosts(dir, Duration.ofMillis(700), loaded)) {
            long start = System.nanoTime();
            Files.delete(dir.resolve("costs.json"));
            MapSet after = loaded.poll(10, TimeUnit.SECONDS);
            assertNotNull(after, "the deletion was never applied");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(700).toNanos(), "applied before the settle period");
            assertEquals(0, after.costMaps().size());
            assertEquals(Level.INFO, logs.awaitMessage("costs.json was deleted", WAIT).getLevel());
            ILoggingEvent dropped = logs.awaitMessage("costs.json has stayed deleted", WAIT);
            assertEquals(Level.INFO, dropped.getLevel(), dropped.getFormattedMessage());
            assertTrue(dropped.getFormattedMessage().endsWith(": the documents it held are no longer served (the folder's"
                    + " only change, so taken as meant)"), dropped.getFormattedMessage());
            assertEquals(List.of(), logs.events().stream().filter(e -> e.getLevel() == Level.WARN).toList());
        }
    }

    /**
     * A deploy that rewrote the network map and did not put the deleted cost map back: its drop is
     * a WARN naming what else changed, as a file lost by a broken deploy must be heard.
     */
    @Test
    void aFileADeployDidNotPutBackIsWarnedOfWithWhatElseChanged(@TempDir Path dir) throws Exception {
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        try (MapsWatcher w = watchingNetAndCosts(dir, Duration.ofMillis(700), loaded)) {
            Files.delete(dir.resolve("costs.json"));
            awaitLog("costs.json was deleted");
            Files.writeString(dir.resolve("net.json"), MAP.replace("10.0.0.0/8", "11.0.0.0/8") + " "); // the deploy's
            assertNotNull(loaded.poll(10, TimeUnit.SECONDS), "the deletion was never applied");
            ILoggingEvent dropped = logs.awaitMessage("costs.json has stayed deleted", WAIT);
            assertEquals(Level.WARN, dropped.getLevel(), dropped.getFormattedMessage());
            assertTrue(dropped.getFormattedMessage().endsWith(": the documents it held are no longer served, while"
                    + " [net.json] changed in the same time (a deploy that did not put it back?)"),
                    dropped.getFormattedMessage());
        }
    }

    /**
     * A network map rewritten so that the cost map on it no longer fits is refused; the operator
     * then deletes the cost map on purpose, and the folder loads. That drop is INFO: the network
     * map changed before the deletion, and the refusal was heard already. It was a WARN naming
     * [net.json] as changed in the same time, because the folder was compared with its last good
     * load, not with what was last read.
     */
    @Test
    void aDeletionThatCuresARefusedChangeIsTakenAsMeant(@TempDir Path dir) throws Exception {
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        BlockingQueue<String> refused = new LinkedBlockingQueue<>();
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5));
        try (MapsWatcher w = StartedWatchers.started(dir, Duration.ofMillis(50), Duration.ofMillis(700), loaded::add,
                refused::add)) {
            // renamed in whole, so no half-written file is what was refused: costs.json names PID2
            Path next = Files.writeString(Files.createTempFile("net", ".json"), MAP.replace("PID2", "PID3"));
            Files.move(next, dir.resolve("net.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            String reason = refused.poll(10, TimeUnit.SECONDS);
            assertNotNull(reason, "the network map the cost map does not fit was not refused within 10 s");
            Files.delete(dir.resolve("costs.json"));
            MapSet after = loaded.poll(10, TimeUnit.SECONDS);
            assertNotNull(after, "the deletion was never applied");
            assertEquals(0, after.costMaps().size());
            ILoggingEvent dropped = logs.awaitMessage("costs.json has stayed deleted", WAIT);
            assertEquals(Level.INFO, dropped.getLevel(), dropped.getFormattedMessage());
        }
    }

    /** A watcher of {@code dir} holding a network map and a cost map on it, its loads into {@code loaded}. */
    private static MapsWatcher watchingNetAndCosts(Path dir, Duration settle, BlockingQueue<MapSet> loaded)
            throws IOException {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5));
        return StartedWatchers.started(dir, Duration.ofMillis(50), settle, loaded::add, r -> { });
    }

    private static final Duration WAIT = Duration.ofSeconds(10);
    private CapturedLogs logs;

    private final Logger watcherLog = (Logger) LoggerFactory.getLogger(MapsWatcher.class);
    private Level level;

    /** Captures the watcher's lines, at INFO: the tests' configuration may log warnings only. */
    @BeforeEach
    void captureLogs() {
        level = watcherLog.getLevel();
        watcherLog.setLevel(Level.INFO);
        logs = CapturedLogs.of(MapsWatcher.class);
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
        watcherLog.setLevel(level);
    }

    private void awaitLog(String part) throws InterruptedException {
        logs.awaitMessage(part, WAIT);
    }
}

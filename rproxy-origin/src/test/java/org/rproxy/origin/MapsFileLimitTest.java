package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.model.MapSet;

/** Maps files are read as streams with a size limit: an over-limit file is refused by name, with the limit. */
@SuppressWarnings("try") // the watcher is held open for the test's duration, not referenced
class MapsFileLimitTest {
    private static final String MAP = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]},\"PID2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    private static final String COSTS = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"net\"}],"
            + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
            + "\"cost-map\":{\"PID1\":{\"PID2\":%d,\"PID1\":0},\"PID2\":{\"PID1\":2}}}";

    @Test
    void aFileOverTheLimitIsRefusedWithItsNameAndTheLimit(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        String costs = String.format(COSTS, 5) + " ".repeat(1000);
        Files.writeString(dir.resolve("costs.json"), costs);
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class,
                () -> MapsFolder.load(dir, 1000));
        assertEquals(dir.resolve("costs.json") + ": " + costs.length() + " bytes, over the limit of 1000 bytes for one"
                + " maps file (--max-map-file-size)", e.getMessage());
        assertEquals(5.0, MapsFolder.load(dir, costs.length()).costMaps().get("costs").cost("PID1", "PID2"),
                "at the limit it is read");
    }

    @Test
    void aStreamedCostMapKeepsTheChecksAndErrorsOfTheTreeReader(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5).replace("\"PID1\":0", "\"PID1\":\"x\""));
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("costs.json") + ": cost-map/PID1/PID1"), e.getMessage());
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5) + "{}");
        e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertTrue(e.getMessage().contains("unexpected content after the JSON value"), e.getMessage());
    }

    @Test
    void aReformattedCostMapIsANewVersionAndAnUnchangedOneIsNot(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5));
        String first = MapsFolder.load(dir).costMaps().get("costs").vtag().tag();
        assertEquals(first, MapsFolder.load(dir).costMaps().get("costs").vtag().tag());
        assertEquals(32, first.length());
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 6));
        assertTrue(!first.equals(MapsFolder.load(dir).costMaps().get("costs").vtag().tag()));
    }

    @Test
    void onAReloadAnOverLimitFileIsRefusedAndTheLastGoodVersionStays(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 5));
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        BlockingQueue<String> refused = new LinkedBlockingQueue<>();
        try (MapsWatcher w = StartedWatchers.started(dir, 2000, Duration.ofMillis(50), Duration.ZERO, loaded::add, refused::add)) {
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 7) + " ".repeat(3000));
            String reason = refused.poll(10, TimeUnit.SECONDS);
            assertNotNull(reason, "no refusal within 10 s");
            assertTrue(reason.contains("costs.json") && reason.contains("over the limit of 2000 bytes"), reason);
            assertNull(loaded.poll());
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 8));
            MapSet after = loaded.poll(10, TimeUnit.SECONDS);
            assertNotNull(after, "no reload within 10 s");
            assertEquals(8.0, after.costMaps().get("costs").cost("PID1", "PID2"));
        }
    }
}

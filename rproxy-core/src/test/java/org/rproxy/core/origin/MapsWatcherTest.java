package org.rproxy.core.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        try (MapsWatcher w = new MapsWatcher(dir, Duration.ofMillis(50), seen::add, r -> { })) {
            Files.writeString(dir.resolve("costs.json"), "{\"cost-map\": {\"PID1\": {\"PID9\": 1}"); // broken
            Files.writeString(dir.resolve("costs.json"), String.format(COSTS, 7));
            MapSet next = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "no reload within 10 s");
            assertEquals(7.0, next.costMaps().get("costs").cost("PID1", "PID2"));
            assertNotEquals(first.costMaps().get("costs").vtag().tag(), next.costMaps().get("costs").vtag().tag());
        }
    }

    @Test
    void aFolderStateThatDoesNotValidateIsRefusedWithTheFileAndTheField(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        BlockingQueue<MapSet> loaded = new LinkedBlockingQueue<>();
        BlockingQueue<String> refused = new LinkedBlockingQueue<>();
        try (MapsWatcher w = new MapsWatcher(dir, Duration.ofMillis(50), loaded::add, refused::add)) {
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
}

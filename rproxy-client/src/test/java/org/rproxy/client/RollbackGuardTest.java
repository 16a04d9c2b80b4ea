package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file: only new highs are kept, it survives reopening, it is replaced whole, and a broken one is refused. */
class RollbackGuardTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void theHighestCreatedPerTargetSurvivesAReopen() throws Exception {
        Path file = dir.resolve("s.json");
        RollbackGuard g = RollbackGuard.open(file);
        assertNull(g.held("/a"));
        g.accepted("/a", T.plusSeconds(10));
        g.accepted("/a", T);
        g.accepted("/b", T);
        RollbackGuard again = RollbackGuard.open(file);
        assertEquals(T.plusSeconds(10), again.held("/a"));
        assertEquals(T, again.held("/b"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void anUnreadableStateFileStopsTheClientNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("s.json"), "{\"targets\":{\"/a\":\"yesterday\"}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RollbackGuard.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("targets./a"), e.getMessage());
        Files.writeString(file, "{not json");
        assertThrows(IllegalArgumentException.class, () -> RollbackGuard.open(file));
    }
}

package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state file: only new highs are kept, it survives reopening, it is replaced whole, guards
 * sharing it (in one process or two) lose none of each other's records, and a broken one is refused.
 */
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
            assertEquals(Set.of(file, dir.resolve("s.json.lock")), files.collect(Collectors.toSet()),
                    "no temporary file is left behind, only the state file and its lock file");
        }
    }

    @Test
    void twoGuardsOnOneFileKeepEachOthersRecordsAndTheHigherOfEach() throws Exception {
        Path file = dir.resolve("alto.state");
        RollbackGuard first = RollbackGuard.open(file);
        RollbackGuard second = RollbackGuard.open(file); // an app bootstrapping a new client while the old one follows
        first.accepted("/costmap/c", T.plusSeconds(10));
        second.accepted("/networkmap/n", T);
        second.accepted("/costmap/c", T); // older than the first's: the higher is kept
        first.accepted("/prop/p", T);

        RollbackGuard restarted = RollbackGuard.open(file);
        assertEquals(T.plusSeconds(10), restarted.held("/costmap/c"), Files.readString(file));
        assertEquals(T, restarted.held("/networkmap/n"), Files.readString(file));
        assertEquals(T, restarted.held("/prop/p"), Files.readString(file));
        assertEquals(T.plusSeconds(10), second.held("/costmap/c"), "learnt from the file when writing it");
        assertEquals(T, first.held("/networkmap/n"));
    }

    @Test
    void guardsWritingAtOnceLoseNoRecord() throws Exception {
        Path file = dir.resolve("alto.state");
        RollbackGuard a = RollbackGuard.open(file);
        RollbackGuard b = RollbackGuard.open(dir.resolve(".").resolve("alto.state")); // another spelling, one file
        Thread other = new Thread(() -> write(b, "/b/", 40), "guard-b");
        other.start();
        write(a, "/a/", 40);
        other.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(other.isAlive());
        assertAllHeld(RollbackGuard.open(file), 40, "/a/", "/b/");
    }

    @Test
    void twoProcessesWritingAtOnceLoseNoRecord() throws Exception {
        Path file = dir.resolve("alto.state");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), OtherProcess.class.getName(),
                file.toString(), "/child/", "40").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            write(RollbackGuard.open(file), "/parent/", 40);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
        assertAllHeld(RollbackGuard.open(file), 40, "/parent/", "/child/");
    }

    /** The other process: opens a guard on the file, says {@code ready}, and writes {@code n} records. */
    static final class OtherProcess {
        public static void main(String[] args) {
            RollbackGuard g = RollbackGuard.open(Path.of(args[0]));
            System.out.println("ready");
            System.out.flush();
            write(g, args[1], Integer.parseInt(args[2]));
        }
    }

    private static void write(RollbackGuard g, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            g.accepted(prefix + i, T.plusSeconds(i));
        }
    }

    private static void assertAllHeld(RollbackGuard g, int n, String... prefixes) {
        for (String prefix : prefixes) {
            for (int i = 0; i < n; i++) {
                assertEquals(T.plusSeconds(i), g.held(prefix + i), prefix + i);
            }
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

    /**
     * A state file in a folder that is not there: the refusal says what is wrong with which file,
     * not only its path (the JDK's message), so an application's log tells its operator what to fix.
     */
    @Test
    void aStateFileThatCannotBeWrittenSaysWhy() {
        Path file = dir.resolve("gone").resolve("s.json");
        RollbackGuard g = RollbackGuard.open(file);
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> g.accepted("/a", T));
        assertEquals("state file " + file + ": cannot write: " + file + ".lock: no such file", e.getMessage());
        assertNull(g.held("/a"), "a version the file could not record is not taken");
    }
}

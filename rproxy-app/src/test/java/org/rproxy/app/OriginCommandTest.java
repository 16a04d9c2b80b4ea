package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code rproxy origin} says at start, and when. */
class OriginCommandTest {

    /**
     * An admin port already taken stops the origin (exit 2) before it says it listens: a script
     * or an operator reading "origin listening on" may take the origin for started.
     */
    @Test
    void anAdminPortInUseStopsTheOriginBeforeItSaysItListens(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // The process's own standard output too: whatever the command prints, it prints no "listening".
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            PrintStream before = System.out;
            CommandRun run;
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            try {
                run = CommandRun.of("origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(),
                        "--key", dir.resolve("origin.key").toString(), "--admin", "127.0.0.1:" + taken.getLocalPort());
            } finally {
                System.setOut(before);
            }

            assertEquals(2, run.exit(), run.toString());
            assertFalse(run.out().contains("listening"), run.toString());
            assertFalse(stdout.toString(StandardCharsets.UTF_8).contains("listening"), stdout.toString(StandardCharsets.UTF_8));
            assertTrue(run.err().startsWith("rproxy origin: "), run.toString());
        }
    }
}

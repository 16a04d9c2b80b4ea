package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file a command cannot use is named with what happened to it, never as a bare path or a Java class. */
class FileErrorsTest {

    @TempDir
    Path dir;

    @Test
    void anOriginWhoseKeyIsMissingSaysSo() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        Path key = dir.resolve("missing.key");
        CommandRun run = CommandRun.of("origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(), "--key", key.toString());
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy origin: " + key + ": cannot read: no such file", run.err().strip());
    }

    @Test
    void aTrustedKeyThatIsMissingSaysSo() {
        Path pub = dir.resolve("missing.pub");
        CommandRun run = CommandRun.of("fetch", "http://127.0.0.1:1/directory", "--trust", pub.toString());
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy fetch: " + pub + ": cannot read key file (no such file)", run.err().strip());
    }

    @Test
    void aFileOperationThatFailsOnItsWayOutNamesTheFileAndWhatHappened() {
        assertEquals("/k/origin.key: no such file", Main.message(new NoSuchFileException("/k/origin.key")));
        assertEquals("/k: permission denied", Main.message(new AccessDeniedException("/k")));
        assertEquals("--out x: exists already and is not a folder",
                Main.message(new IllegalArgumentException("--out x: exists already and is not a folder")));
    }
}

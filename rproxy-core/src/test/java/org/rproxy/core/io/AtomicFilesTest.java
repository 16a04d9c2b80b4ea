package org.rproxy.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.DirectKept;

/** A file written whole, replacing the old one, with a plain new file's mode and no temporary file left. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesAndReplacesLeavingNoTemporaryFile() throws Exception {
        Path f = dir.resolve("state.json");
        AtomicFiles.write(f, "one".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(f, "two, longer".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("two, longer".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f));
        AtomicFiles.write(dir.resolve("empty"), new byte[0]);
        assertEquals(0, Files.size(dir.resolve("empty")));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("empty"), f), files.sorted().toList());
        }
    }

    /** A signed bundle of a large cost map leaves no direct copy on the thread that saved it. */
    @Test
    void theWritingThreadKeepsNoDirectCopyOfALargeFile() throws Exception {
        byte[] b = new byte[8 * 1024 * 1024];
        new Random(11).nextBytes(b);
        Path f = dir.resolve("bundle");
        long grown = DirectKept.byWorkOnItsOwnThread(() -> {
            AtomicFiles.write(f, b);
            return f;
        }).grownBytes();
        assertTrue(grown <= 2L * SlicedWrites.SLICE, "the writing thread holds " + grown
                + " bytes of JDK direct memory after writing " + b.length + " bytes");
        assertArrayEquals(b, Files.readAllBytes(f));
    }

    @Test
    void aRelativePathIsWrittenWhereItResolves() throws Exception {
        Path f = Path.of("").toAbsolutePath().relativize(dir.resolve("rel.bin"));
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("rel.bin")));
    }

    @Test
    void aMissingFolderFailsAndLeavesNothing() {
        Path f = dir.resolve("gone").resolve("x");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, new byte[] {1}));
    }

    @Test
    void theFileHasThePermissionsOfAPlainNewFile() throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        Path plain = Files.write(dir.resolve("plain"), new byte[] {1});
        Path f = dir.resolve("atomic");
        AtomicFiles.write(f, new byte[] {1});
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
}

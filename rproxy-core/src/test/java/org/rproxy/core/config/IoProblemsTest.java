package org.rproxy.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoProblemsTest {

    @Test
    void theJdksFileExceptionsSayWhatHappenedNotJustThePath() {
        assertEquals("/k/origin.key: no such file", IoProblems.message(new NoSuchFileException("/k/origin.key")));
        assertEquals("/k/origin.key: permission denied", IoProblems.message(new AccessDeniedException("/k/origin.key")));
        assertEquals("/k: exists already", IoProblems.message(new FileAlreadyExistsException("/k")));
        assertEquals("/a -> /b: read-only file system",
                IoProblems.message(new FileSystemException("/a", "/b", "Read-only file system")));
        assertEquals("input/output error", IoProblems.message(new IOException()));
        assertEquals("no such file", IoProblems.reason((Throwable) new UncheckedIOException(new NoSuchFileException("/k"))));
    }

    @Test
    void aReasonThatBeginsWithAnAcronymKeepsItsCase() {
        // The signing front's failed read went out as "gET /directory from ...".
        assertEquals("GET /directory from alto:8080: cannot connect",
                IoProblems.reason(new IOException("GET /directory from alto:8080: cannot connect")));
        assertEquals("I/O error on read", IoProblems.reason(new IOException("I/O error on read")));
        assertEquals("connection refused", IoProblems.reason(new IOException("Connection refused")));
    }

    @Test
    void aFolderReadAsAFileSaysSo(@TempDir Path dir) {
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Files.readString(dir));
        assertEquals("is a directory", IoProblems.reason(e));
    }
}

package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TorrentFilesTest {

    @ParameterizedTest
    @ValueSource(strings = {"map-a.http", "my-default-network-map.http", "a:b@c.http", ".http", "x"})
    void aPlainNameIsOne(String name) {
        assertTrue(TorrentFiles.plain(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../../../secret.txt", "/dev/zero", "a/b", "..\\x", "x.", "x ", " x",
            "a\u0000b", "a\nb"})
    void aNameBtWouldChangeOrThatLeavesTheFolderIsNot(String name) {
        assertFalse(TorrentFiles.plain(name), name);
    }

    @Test
    void aNameLongerThanAFileNameIsNot() {
        assertFalse(TorrentFiles.plain("x".repeat(256)));
        assertTrue(TorrentFiles.plain("x".repeat(255)));
    }

    @Test
    void theFileReadIsTheRegularFileInTheFolder(@TempDir Path dir) throws Exception {
        Path torrent = Files.createDirectory(dir.resolve("torrent"));
        Files.writeString(torrent.resolve("map-a.http"), "bundle");
        Files.writeString(dir.resolve("secret.txt"), "SECRET");
        Files.createSymbolicLink(torrent.resolve("link.http"), dir.resolve("secret.txt"));
        Path file = TorrentFiles.fileIn(torrent, "map-a.http");
        assertArrayEquals("bundle".getBytes(StandardCharsets.US_ASCII), TorrentFiles.read(file, 6));
        assertThrows(IOException.class, () -> TorrentFiles.fileIn(torrent, "link.http"), "a link out of the folder");
        assertThrows(IOException.class, () -> TorrentFiles.fileIn(torrent, "../secret.txt"));
        assertThrows(IOException.class, () -> TorrentFiles.fileIn(torrent, "missing.http"));
        assertThrows(IOException.class, () -> TorrentFiles.read(torrent.resolve("link.http"), 100), "a link");
    }

    @Test
    void theReadStopsPastTheSizeAllowed(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("big.http"), new byte[100_000]);
        IOException e = assertThrows(IOException.class, () -> TorrentFiles.read(file, 99_999));
        assertTrue(e.getMessage().contains("at most 99999"), e.getMessage());
        assertEquals(100_000, TorrentFiles.read(file, 100_000).length);
    }

    @Test
    void aDeviceIsNoFileToRead() {
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(IOException.class, () -> TorrentFiles.read(zero, 1024)));
        }
    }

    @Test
    void aNameInAMessageIsQuotedAndCut() {
        assertEquals("\"a\\u000ab\"", TorrentFiles.printable("a\nb"));
        assertTrue(TorrentFiles.printable("y".repeat(500)).endsWith("...\""));
    }
}

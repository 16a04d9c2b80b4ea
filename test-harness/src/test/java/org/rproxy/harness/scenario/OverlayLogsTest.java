package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayLogsTest {
    private static final String PEERS = """
            2026-12-06T08:45:01.807Z WARN  [overlay-peer] b.s.ClasspathApplicationService - Failed to determine version
            2026-12-06T08:45:01.811Z WARN  [overlay-peer] b.s.ClasspathApplicationService - Failed to determine version
            2026-12-06T08:45:25.542Z WARN  [overlay-peer] o.r.o.OverlayClient - overlay: refused magnet:?xt=urn:btih:4f41a7ed9207de0d1cbf4547e1da1a88edaf57e6 from publisher 17
            2026-12-06T08:45:27.449Z WARN  [overlay-peer] o.r.o.OverlayClient - overlay: refused magnet:?xt=urn:btih:0a83c068402bb0a83c068402bb0a83c068402bb0 from publisher 18
            2026-12-06T08:45:28.000Z ERROR [mlDHT Scheduler] lbms.plugins.mldht - boom 3
            \tat some.Frame(Frame.java:1)
            2026-12-06T08:45:29.000Z INFO  [main] o.r.o.OverlayPublisher - overlay publisher key 00
            """;

    @Test
    void warningsAreCountedByKindNumbersAndHexBlankedOut() {
        OverlayLogs.Counts c = OverlayLogs.count(List.of(PEERS, "2026-12-06T08:45:05.605Z WARN  [main] x - y\n"));
        assertEquals(8, c.lines());
        assertEquals(5, c.warn());
        assertEquals(1, c.error());
        assertEquals(Map.of("WARN b.s.ClasspathApplicationService - Failed to determine version", 2L,
                "WARN o.r.o.OverlayClient - overlay: refused # from publisher #", 2L,
                "ERROR lbms.plugins.mldht - boom #", 1L, "WARN x - y", 1L), c.kinds());
    }

    @Test
    void theLineGivesTotalsPerMinuteAndTheMostFrequentKindsFirst() {
        OverlayLogs.Counts c = OverlayLogs.count(List.of(PEERS));
        assertEquals("7 lines (14 a minute), 4 WARN, 1 ERROR; 2 x \"WARN b.s.ClasspathApplicationService - Failed to determine"
                + " version\"; 2 x \"WARN o.r.o.OverlayClient - overlay: refused # from publisher #\"",
                c.describe(0.5, 2));
        assertEquals("x".repeat(100) + "...", OverlayLogs.kind("x".repeat(120)));
        // mldht prints a message's binary id: two of them are one kind
        assertEquals(OverlayLogs.kind("not sure how to handle message  Method:UNKNOWN MessageID:0xFE3AA2F1/\u00ff\u0012Z version:0x6D6C000B/ml"),
                OverlayLogs.kind("not sure how to handle message  Method:UNKNOWN MessageID:0xFC4BF/\u00e9$ version:0x6D6C000B/ml"));
        assertEquals("not sure how to handle message Method:UNKNOWN # #", OverlayLogs.kind(
                "not sure how to handle message  Method:UNKNOWN MessageID:0xFC4BF/\u00e9$ version:0x6D6C000B/ml"));
    }

    @Test
    void theLogsOfAFolderAndItsSubfoldersAreRead(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("peers-0.log"), PEERS);
        Files.createDirectories(dir.resolve("rproxy"));
        Files.writeString(dir.resolve("rproxy").resolve("rproxy.log"), "2026-12-06T08:45:05.605Z WARN  [main] x - y\n");
        Files.writeString(dir.resolve("maps.json"), "{}\n");
        OverlayLogs.Counts c = OverlayLogs.read(dir);
        assertEquals(8, c.lines());
        assertEquals(5, c.warn());
    }
}

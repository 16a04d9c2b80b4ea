package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayResourcesTest {

    @Test
    void theUdpCountersAreReadByTheirNamesFromTheSecondUdpLine() {
        String snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
                + "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
                + "Udp: 603 1 7 609 5 0 0 0 0\n"
                + "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
                + "UdpLite: 0 0 0 0 0 0 0 0 0\n";
        assertEquals(new OverlayResources.Udp(603, 609, 7, 5), OverlayResources.Udp.parse(snmp));
        assertSame(OverlayResources.Udp.NONE, OverlayResources.Udp.parse("Ip: Forwarding\nIp: 1\n"));
        assertEquals(new OverlayResources.Udp(3, 9, 0, 1),
                new OverlayResources.Udp(603, 609, 7, 5).minus(new OverlayResources.Udp(600, 600, 7, 4)));
        assertSame(OverlayResources.Udp.NONE, OverlayResources.Udp.NONE.minus(new OverlayResources.Udp(1, 1, 1, 1)));
    }

    @Test
    void aProcessIsMeasuredFromProc() {
        OverlayResources.Usage u = OverlayResources.Usage.of(ProcessHandle.current().pid());
        if (Files.isDirectory(Path.of("/proc/self"))) {
            assertTrue(u.threads() > 1 && u.fds() > 0 && u.rssKib() > 0 && u.cpuMillis() >= 0, u.toString());
        }
        assertEquals(-1, OverlayResources.Usage.of(Long.MAX_VALUE).threads());
    }

    @Test
    void theTableSaysTheRunsOwnJvmAndTheDhtTraffic(@TempDir Path dir) throws Exception {
        List<Check> checks;
        try (OverlayResources r = new OverlayResources(Map.of(), dir.resolve("resources.csv"))) {
            // sampled in the first phase (checks() takes a sample), then the next one
            checks = r.checks(1, 1);
        }
        assertTrue(checks.stream().anyMatch(c -> c.name().startsWith("DHT traffic")), checks.toString());
        List<String> rows = Files.readAllLines(dir.resolve("resources.csv"));
        assertEquals("s,phase,pid,role,threads,fds,rss_kib,cpu_ms", rows.get(0));
        // a phase's name is one field: every row has the header's eight
        assertTrue(rows.stream().allMatch(r -> r.split(",", -1).length == 8), rows.toString());
        if (Files.isDirectory(Path.of("/proc/self"))) {
            assertTrue(checks.stream().anyMatch(c -> c.name().contains("the run's JVM") && c.measured().startsWith("threads ")),
                    checks.toString());
        }
    }
}

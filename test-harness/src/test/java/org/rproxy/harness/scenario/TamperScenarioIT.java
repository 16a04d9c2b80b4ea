package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.harness.HarnessMain;

/**
 * {@code harness scenario tamper} end to end, in miniature: directly, through a pull proxy the
 * relay starts tampering under, and healed. The proxy is started while the upstream is honest
 * (it becomes ready only holding verified maps), so the scenario gets to its verdict.
 */
class TamperScenarioIT {
    @TempDir
    Path dir;

    @Test
    void theTamperScenarioRunsEveryPhaseAndPasses() throws Exception {
        Path reports = dir.resolve("tamper");
        int code = HarnessMain.run("scenario", "tamper", "--viewers", "20", "--window", "1s", "--max-age", "2s",
                "--connections", "4", "--report", reports.toString());
        assertTrue(Files.exists(reports.resolve("verdict.txt")), "a verdict was written");
        String verdict = Files.readString(reports.resolve("verdict.txt"));
        assertEquals(0, code, verdict);
        assertTrue(verdict.startsWith("tamper: PASS"), verdict);
        assertTrue(verdict.contains("proxy: tampered bytes that reached viewers"), verdict);
        assertTrue(verdict.contains("healed: viewers joined through the same proxy"), verdict);
        assertTrue(Files.exists(reports.resolve("tamper-healed/report.html")));
        assertFalse(ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive), "the proxy was stopped");
    }
}

package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.harness.HarnessMain;

/**
 * Ctrl-C (here SIGTERM, which runs the same shutdown hooks) to {@code harness scenario} while a
 * child proxy is starting: the harness stops
 * every process it started, the one still starting included, and deletes its lab folder (which
 * holds the origin's private key). The proxy is made to hang before its main method (a debug
 * agent waiting for a debugger, through {@code RPROXY_HARNESS_JVM_OPTS}), so the signal always
 * finds it starting, however loaded the machine.
 */
class ScenarioSignalIT {
    @TempDir
    Path dir;

    @Test
    void aSignalWhileAProxyStartsStopsItAndDeletesTheLabFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = List.of(ProxyProcess.javaExecutable(), "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), HarnessMain.class.getName(), "scenario", "outage", "--viewers", "10",
                "--report", dir.resolve("reports").toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("harness.log").toFile());
        pb.environment().put(ProxyProcess.JVM_OPTIONS_VARIABLE,
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=127.0.0.1:0");
        Process harness = pb.start();
        List<ProcessHandle> descendants = List.of();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (descendants.isEmpty() && harness.isAlive() && System.nanoTime() < deadline) {
                descendants = harness.descendants().filter(ProcessHandle::isAlive).toList();
                if (descendants.isEmpty()) {
                    Thread.sleep(50);
                }
            }
            assertFalse(descendants.isEmpty(), "the harness started a proxy: " + log());
            try (Stream<Path> labs = Files.list(tmp)) {
                assertTrue(labs.anyMatch(ScenarioSignalIT::isLab), "the lab folder is there while the scenario runs");
            }

            // SIGTERM runs the same shutdown hooks as Ctrl-C's SIGINT, which a JVM started from a
            // background job (SIGINT ignored, and inherited so) would not see
            harness.destroy();
            assertTrue(harness.waitFor(60, TimeUnit.SECONDS), "the harness ended on SIGTERM: " + log());

            for (ProcessHandle h : descendants) {
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // asserted below
                }
                assertFalse(h.isAlive(), "process " + h.pid() + " " + h.info().commandLine().orElse("")
                        + " outlived the harness: " + log());
            }
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.filter(ScenarioSignalIT::isLab).toList(), "the lab folder was deleted");
            }
        } finally {
            descendants.forEach(ProcessHandle::destroyForcibly);
            harness.destroyForcibly();
        }
    }

    private static boolean isLab(Path p) {
        return p.getFileName().toString().startsWith("harness-lab-");
    }

    private String log() throws java.io.IOException {
        return Files.readString(dir.resolve("harness.log"));
    }
}

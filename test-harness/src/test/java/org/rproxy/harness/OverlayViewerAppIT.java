package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.harness.scenario.NetworkNamespace;

/**
 * A P2P app vendor's viewer peer, written from the overlay guide alone ({@link OverlayViewerRun}),
 * in a child JVM inside a network namespace this test creates ({@code unshare -n}: mldht refuses
 * loopback and private addresses, so the nodes use 100.64.0.1 and .2 on the namespace's own
 * {@code lo}). Skipped, saying why, where no namespace can be made; {@code -Drproxy.overlay-it=false}
 * leaves it out. The child's whole output stays in {@code target/overlay-viewer-it.log}.
 *
 * <p>In the scenarios tier, not {@code mvn -B verify}: {@code mvn -B -Pscenarios -pl test-harness -am verify}
 * runs it (test-harness's POM says why).
 */
@DisabledIfSystemProperty(named = "rproxy.overlay-it", matches = "false",
        disabledReason = "left out with -Drproxy.overlay-it=false")
@Tag("scenario")
class OverlayViewerAppIT {

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aViewerPeerStartsFromTheOverlayFollowsAChangeAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        String why = NetworkNamespace.unavailable();
        assumeTrue(why == null, () -> "skipped: cannot create a network namespace here (" + why + ")");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "set -e; ip link set lo up; for a in " + OverlayViewerRun.PUBLISHER_IP + " "
                + OverlayViewerRun.VIEWER_IP + " " + OverlayViewerRun.SUPERNODE_IP + "; do ip addr add $a/32 dev lo; done; exec " + java
                + " -Xmx512m -Dio.netty.leakDetection.level=paranoid -cp \"$CP\" " + OverlayViewerRun.class.getName()
                + " " + dir;
        ProcessBuilder pb = new ProcessBuilder("unshare", "-n", "sh", "-c", script).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().put("CP", System.getProperty("java.class.path"));
        Process child = pb.start();
        boolean ended = child.waitFor(480, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
        Path kept = Path.of("target", "overlay-viewer-it.log");
        if (Files.isDirectory(kept.getParent())) {
            Files.writeString(kept, log);
        }
        String tail = log.length() <= 20_000 ? log : log.substring(log.length() - 20_000);
        assertTrue(ended, "the viewer run did not end within 480 s:\n" + tail);
        assertEquals(0, child.exitValue(), "the viewer run failed:\n" + tail);
        assertTrue(log.contains("VIEWER-OK"), tail);
    }
}

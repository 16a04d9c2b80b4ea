package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.harness.scenario.NetworkNamespace;

/**
 * {@code rproxy proxy --overlay FILE} itself, the command line an operator runs, publishes into
 * the overlay: the other overlay tests compose the publisher in code, so the command's wiring (its
 * overlay file read, the publisher started beside the push proxy and offered what it verifies,
 * its meters on {@code /metrics}) was run by nothing in the build. The checks run in
 * {@link ProxyOverlayCommandRun}, in a child JVM inside a network namespace this test creates
 * ({@code unshare -n}), as {@link OverlayNamespaceIT}'s do (mldht refuses loopback and private
 * addresses); the proxy is a process of that child's, stopped at the end. Skipped, saying why,
 * where no namespace can be made; {@code -Drproxy.overlay-it=false} leaves it out. Under a minute
 * (48 s at a load average near 20).
 */
@DisabledIfSystemProperty(named = "rproxy.overlay-it", matches = "false",
        disabledReason = "left out with -Drproxy.overlay-it=false")
class ProxyOverlayCommandIT {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theProxyCommandWithAnOverlayFilePublishesWhatItHoldsForClientsToTake(@TempDir Path dir) throws Exception {
        String why = NetworkNamespace.unavailable();
        assumeTrue(why == null, () -> "skipped: cannot create a network namespace here (" + why + ")");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "set -e; ip link set lo up; for a in " + ProxyOverlayCommandRun.ip(1) + " "
                + ProxyOverlayCommandRun.ip(2) + "; do ip addr add $a/32 dev lo; done; exec " + java
                + " -Xmx384m -cp \"$CP\" " + ProxyOverlayCommandRun.class.getName() + " \"$DIR\"";
        ProcessBuilder pb = new ProcessBuilder("unshare", "-n", "sh", "-c", script).redirectErrorStream(true);
        pb.environment().put("CP", System.getProperty("java.class.path"));
        pb.environment().put("DIR", dir.toString());
        Process child = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(child.getInputStream(), out), "proxy-overlay-output");
        reader.start();
        boolean ended = child.waitFor(240, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        String log;
        synchronized (out) {
            log = out.toString(StandardCharsets.UTF_8);
        }
        System.out.println(log.lines().filter(l -> l.startsWith("phase ") || l.startsWith("fetched "))
                .reduce("", (a, b) -> a + b + "\n"));
        String tail = log.length() <= 20_000 ? log : log.substring(log.length() - 20_000);
        assertTrue(ended, "the run did not end within 240 s:\n" + tail);
        assertEquals(0, child.exitValue(), "the run failed:\n" + tail);
        assertTrue(log.contains("PROXY-OVERLAY-OK"), tail);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (out) {
                    if (out.size() < (8 << 20)) { // enough to tell what went wrong
                        out.write(buf, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            // the child ended; what was read is kept
        }
    }
}

package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

/**
 * A node whose start runs out of memory on the main thread ends, saying why, instead of living on.
 * An origin given maps its heap cannot sign (a 4.6 MB cost map of 560 PIDs at {@code -Xmx24m},
 * within every maps limit, which are shares of the heap) listened, then threw
 * {@link OutOfMemoryError} out of its start: the main thread died with the JVM's own line, and the
 * listener's threads kept the process up, answering 503, until it was killed.
 */
class NodeOutOfMemoryTest {
    private static final int PIDS = 560;

    @TempDir
    Path dir;

    @Test
    void anOriginWhoseMapsPassItsHeapExitsWithStatusOneAndSaysSo() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        writeMaps(maps);
        Path key = PrivateKeyFiles.write(dir.resolve("origin.key"),
                SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        Path err = dir.resolve("origin.err");
        Process origin = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx24m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(), "--key", key.toString())
                .redirectOutput(dir.resolve("origin.out").toFile()).redirectError(err.toFile()).start();
        try {
            boolean ended = origin.waitFor(90, TimeUnit.SECONDS);
            String said = DemoProcess.readQuietly(err);
            assertTrue(ended, "the origin out of memory still runs after 90 s: " + said);
            assertEquals(1, origin.exitValue(), said);
            assertTrue(said.contains("rproxy: failed with java.lang.OutOfMemoryError"), said);
            assertTrue(said.contains("stopping (exit status 1)"), said);
        } finally {
            origin.destroyForcibly();
            origin.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anErrorNotFatalEscapingTheCommandExitsOneAfterSayingIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> stopped = new ArrayList<>();
        int status = Main.ended(() -> {
            throw new NoClassDefFoundError("org/example/Gone");
        }, new PrintStream(bytes, true, StandardCharsets.UTF_8), (task, e) -> stopped.add(task));
        assertEquals(1, status);
        assertEquals(List.of(), stopped, "not fatal: the shutdown hooks run");
        assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith(
                "rproxy: failed with java.lang.NoClassDefFoundError: org/example/Gone"), bytes.toString(StandardCharsets.UTF_8));
    }

    /** A network map of {@link #PIDS} PIDs (a /16 each, and a default) and a full numerical cost map over them. */
    private static void writeMaps(Path maps) throws Exception {
        try (Writer w = Files.newBufferedWriter(maps.resolve("network-map.json"))) {
            w.write("{\"meta\":{\"vtag\":{\"resource-id\":\"default-network-map\"}},\"network-map\":{");
            for (int i = 0; i < PIDS; i++) {
                w.write("\"pid-" + i + "\":{\"ipv4\":[\"" + (i / 200 + 10) + "." + (i % 200) + ".0.0/16\"]},");
            }
            w.write("\"pid-default\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
        }
        try (Writer w = Files.newBufferedWriter(maps.resolve("routingcost-map.json"))) {
            w.write("{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                    + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},\"cost-map\":{");
            for (int i = 0; i < PIDS; i++) {
                w.write((i > 0 ? "," : "") + "\"pid-" + i + "\":{");
                for (int j = 0; j < PIDS; j++) {
                    w.write((j > 0 ? "," : "") + "\"pid-" + j + "\":" + (1 + (i * 31 + j * 17) % 997));
                }
                w.write("}");
            }
            w.write("}}");
        }
    }
}

package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

/**
 * A node stopped (SIGTERM) once it listens and before its start has ended closes its listener as
 * a later stop does, and says so. Its shutdown hook was installed only once the start had ended,
 * and an origin goes on starting for a while after it listens (1.6 s was seen at load 20, and a
 * client may be served meanwhile): a stop in that time ended the JVM, status 143, with the
 * listener and whatever connections it had accepted never closed and no "stopped listening" said.
 */
class NodeEarlyStopTest {
    private static final Pattern LISTENING = Pattern.compile("AltoHttpServer - listening on /127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    Path dir;

    @Test
    void aSigtermAsSoonAsTheOriginListensClosesItsListener() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        Path key = PrivateKeyFiles.write(dir.resolve("origin.key"),
                SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        Path err = dir.resolve("origin.err");
        // the logging the jar ships (the test classpath's would take over), the node's output to files
        Process origin = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(), "--key", key.toString())
                .redirectOutput(dir.resolve("origin.out").toFile()).redirectError(err.toFile()).start();
        try {
            String port = awaitListening(origin, err);
            origin.destroy(); // SIGTERM, at once: the origin is still starting (its "origin listening" is to come)
            assertTrue(origin.waitFor(60, TimeUnit.SECONDS), "the origin stopped");
            String said = DemoProcess.readQuietly(err);
            assertEquals(143, origin.exitValue(), said);
            assertTrue(said.contains(" - stopped listening on /127.0.0.1:" + port + "\n"), said);
        } finally {
            origin.destroyForcibly();
            origin.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Waits (60 s at most, polling every few milliseconds) for the origin's listener; returns its port. */
    private static String awaitListening(Process origin, Path err) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Matcher m = LISTENING.matcher(DemoProcess.readQuietly(err));
            if (m.find()) {
                return m.group(1);
            }
            if (!origin.isAlive()) {
                throw new AssertionError("the origin ended before it listened: " + DemoProcess.readQuietly(err));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        throw new AssertionError("not listening within 60 s: " + DemoProcess.readQuietly(err));
    }
}

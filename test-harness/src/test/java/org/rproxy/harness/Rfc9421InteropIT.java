package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with an independent RFC 9421 implementation: the npm package http-message-signatures,
 * run under node, verifies the origin's responses with nothing but the origin's public key
 * (SPKI PEM). It must accept every signed document and reject an unsigned computed answer.
 * CI installs node (see .ci/run); without node on the machine the test is skipped, saying so.
 */
class Rfc9421InteropIT {

    @Test
    void anIndependentRfc9421VerifierAcceptsEverySignedDocumentAndRejectsUnsignedOnes(@TempDir Path dir) throws Exception {
        assumeTrue(commandWorks("node", "--version"), "node is not installed: RFC 9421 interop not checked");
        Path script = TestPaths.repo().resolve("test-harness/src/test/node/rfc9421-interop");
        if (!Files.isDirectory(script.resolve("node_modules/http-message-signatures"))) {
            assertEquals(0, run(script, List.of("npm", "ci", "--no-audit", "--no-fund")).exit, "npm ci failed");
        }
        try (TestOrigin origin = TestOrigin.start(dir)) {
            List<String> signed = List.of("/directory", "/networkmap/default-network-map", "/costmap/routingcost-map",
                    "/costmap/hopcount-map", "/capability", "/prop/pid", "/cost/map", "/cost/map?type=hopcount");
            List<String> cmd = new ArrayList<>(List.of("node", "verify.js", origin.publicKey.toString()));
            signed.forEach(p -> cmd.add(origin.base() + p));
            Result ok = run(script, cmd);
            assertEquals(0, ok.exit, ok.output);
            assertEquals(signed.size(), ok.output.lines().filter(l -> l.startsWith("VALID ")).count(), ok.output);

            Result unsigned = run(script, List.of("node", "verify.js", origin.publicKey.toString(),
                    origin.base() + "/cost/row?srcpid=PID1"));
            assertEquals(1, unsigned.exit, unsigned.output);
            assertTrue(unsigned.output.startsWith("INVALID "), unsigned.output);
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError(command + " did not finish within 120 s");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            boolean done = p.waitFor(20, TimeUnit.SECONDS);
            p.destroyForcibly();
            return done && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

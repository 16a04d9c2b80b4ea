package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.sign.VerificationKey;

import picocli.CommandLine;

/**
 * {@code harness client-heap} runs against a real origin and prints a figure for each step and
 * each map held. Its figures are only meaningful in a JVM of its own; here the origin shares the
 * test's, so only that the run completes and says what it measured is checked.
 */
class ClientHeapCommandTest {
    @TempDir
    Path dir;

    @Test
    void itBootstrapsHoldsTheMapsAndSaysWhatEachStepTook() throws Exception {
        try (TestOrigin origin = TestOrigin.start(dir)) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            int exit = cl.execute("client-heap", "--origin", origin.base(), "--keyid",
                    VerificationKey.readPem(origin.publicKey).keyId());
            assertEquals(0, exit, out + "\n" + err);
            String said = out.toString();
            assertTrue(said.contains("bootstrap (the directory)"), said);
            assertTrue(said.contains("refreshMaps (maps held and answers built)"), said);
            assertTrue(said.matches("(?s).*one more verified copy of /networkmap/\\S+ \\([\\d,]+ bytes as signed\\).*"), said);
            assertTrue(said.matches("(?s).*one more verified copy of /costmap/\\S+ \\([\\d,]+ bytes as signed\\).*"), said);
            assertTrue(said.contains("the answers built from them (parsed maps and index) about"), said);
        }
    }
}

package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioCommandTest {
    @TempDir
    Path dir;

    @Test
    void aScenarioThatThrowsFailsWithItsChecksSoFarAVerdictFileAndItsLabFolderKept() throws Exception {
        Path[] lab = new Path[1];
        Scenario throwing = new Fake(ctx -> {
            lab[0] = ctx.lab.dir();
            Files.writeString(lab[0].resolve("edge-1.log"), "refused upstream answer");
            ctx.checks().add(Check.of("direct: tampered responses rejected by viewers", "20", "20", true));
            throw new IOException("edge-1 did not become ready within PT1M; see " + lab[0].resolve("edge-1.log"));
        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            int code = ScenarioCommand.execute(throwing, options(false), dir.resolve("reports"),
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(1, code, "a scenario that stopped on an error failed; it was not a usage error");
            String verdict = Files.readString(dir.resolve("reports/verdict.txt"));
            assertTrue(verdict.startsWith("fake: FAIL"), verdict);
            assertTrue(verdict.contains("direct: tampered responses rejected by viewers"), "the checks so far are kept: " + verdict);
            assertTrue(verdict.contains("stopped: edge-1 did not become ready") && verdict.contains("NOT RUN"), verdict);
            assertTrue(Files.exists(lab[0].resolve("edge-1.log")), "the log the message points to is still there");
            assertTrue(printed.toString(StandardCharsets.UTF_8).contains("lab folder kept: " + lab[0]));
        } finally {
            Lab.deleteTree(lab[0]);
        }
    }

    @Test
    void aTemporaryLabFolderIsDeletedAfterARunThatEndsAndKeptWithKeep() throws Exception {
        Path[] lab = new Path[1];
        Scenario passing = new Fake(ctx -> {
            lab[0] = ctx.lab.dir();
            return List.of(Check.of("something", "0", "0", true));
        });
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(0, ScenarioCommand.execute(passing, options(false), dir.resolve("a"), quiet));
        assertFalse(Files.exists(lab[0]), "the temporary lab folder (with the origin's key) is gone");
        assertEquals(0, ScenarioCommand.execute(passing, options(true), dir.resolve("b"), quiet));
        assertEquals(dir.resolve("b/lab"), lab[0]);
        assertTrue(Files.exists(lab[0].resolve("origin.key")), "--keep keeps it in the report folder");
    }

    private static ScenarioContext.Options options(boolean keep) {
        return new ScenarioContext.Options(null, null, 4, 4, 1, 1, null, null, keep, null, null, false);
    }

    /** A scenario that runs {@code body} and nothing else. */
    private record Fake(Body body) implements Scenario {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String summary() {
            return "runs a test's body";
        }

        @Override
        public List<Check> run(ScenarioContext ctx) throws Exception {
            return body.run(ctx);
        }
    }

    @FunctionalInterface
    private interface Body {
        List<Check> run(ScenarioContext ctx) throws Exception;
    }
}

package org.rproxy.harness.churn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.harness.HarnessMain;
import org.rproxy.harness.topology.MapsWriter;
import org.rproxy.harness.topology.TopologyGenerator;
import org.rproxy.harness.topology.TopologySpec;

import picocli.CommandLine;

/** {@code harness churn} as its options say it runs. */
class ChurnCommandTest {
    @TempDir
    Path dir;

    /**
     * {@code --for} bounds the run even when the next round is due after it: with rounds ten
     * minutes apart and {@code --for 1s}, the command does its first round and ends, rather than
     * sleeping until the second round is due and only then seeing that its time is up.
     */
    @Test
    void forEndsTheRunWithoutWaitingForARoundDueAfterIt() throws Exception {
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(10, 1, 1)), dir);
        StringWriter err = new StringWriter();
        CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true));
        // the bound is generous for a loaded machine, and far below the ten minutes the old loop slept
        int exit = assertTimeoutPreemptively(Duration.ofSeconds(120),
                () -> cl.execute("churn", "--maps", dir.toString(), "--every", "10m", "--for", "1s"),
                "harness churn --every 10m --for 1s did not end within 2 minutes");
        assertEquals(0, exit, err.toString());
    }

    /** A --maps folder that is not there is a usage error (2) naming the option and why, not the bare path. */
    @Test
    void aMissingMapsFolderIsRefusedNamingTheOption() {
        Path missing = dir.resolve("no-such-maps");
        StringWriter err = new StringWriter();
        CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("churn", "--maps", missing.toString(), "--rounds", "1"), err.toString());
        assertEquals("harness churn: --maps: " + missing + " (expected: the maps folder the origin serves; there is no such"
                + " folder)", err.toString().strip());
    }
}

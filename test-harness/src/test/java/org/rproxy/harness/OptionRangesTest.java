package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.harness.topology.MapsWriter;
import org.rproxy.harness.topology.TopologyGenerator;
import org.rproxy.harness.topology.TopologySpec;

import picocli.CommandLine;

/**
 * Every numeric option of every {@code harness} command out of its range is a usage error
 * (exit 2) before anything runs, on one line naming the option with its {@code --}, the value and
 * the range. Before, {@code harness churn --rounds -1} exited 0 having done nothing, {@code --rounds
 * 0} ran for ever, {@code topology --pids 0} said {@code pids: 0}, {@code burst --concurrency 0}
 * {@code concurrency: 0}, {@code relay --mode sideways} {@code No enum constant ...}, and
 * {@code viewers --peers 0} was refused only after the network map had been fetched from the
 * target (a target that did not answer was blamed instead).
 */
class OptionRangesTest {
    @TempDir
    static Path dir;

    /** A small maps folder, for the commands that would otherwise stop at a missing one. */
    @BeforeAll
    static void maps() throws Exception {
        MapsWriter.write(TopologyGenerator.generate(TopologySpec.of(10, 1, 1)), dir.resolve("maps"));
    }

    /** Each row: the command line (space-separated; MAPS and OUT stand for folders), then how the error line starts. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "topology --out OUT --pids 0 | harness topology: --pids: 0 (expected: 1-50000)",
        "topology --out OUT --prefixes-per-pid 0 | harness topology: --prefixes-per-pid: 0 (expected: >= 1",
        "topology --out OUT --pids 50000 --prefixes-per-pid 50 | harness topology: --prefixes-per-pid: 50 (expected: >= 1,"
                + " and at most 2,000,000 prefixes in all, --pids x --prefixes-per-pid)",
        "topology --out OUT --extra-links -1 | harness topology: --extra-links: -1 (expected: 0-16)",
        "topology --out OUT --cost-types delay | harness topology: --cost-types: delay (expected: one of",
        "churn --maps MAPS --rounds -1 | harness churn: --rounds: -1 (expected: >= 1; leave it out for no limit)",
        "churn --maps MAPS --rounds 0 --for 1s | harness churn: --rounds: 0 (expected: >= 1; leave it out for no limit)",
        "churn --maps MAPS --fraction 1.5 | harness churn: --fraction: 1.5 (expected: 0 to 1)",
        "churn --maps MAPS --move-every -1 | harness churn: --move-every: -1 (expected: >= 0; 0 never)",
        "churn --maps MAPS --fraction 0 --move-every 0 --rounds 1 | harness churn: --fraction: 0.0 with --move-every 0"
                + " changes nothing",
        "churn --maps MAPS --every 0s | Invalid value for option '--every': '0s' must be a positive duration",
        "viewers --target http://127.0.0.1:1 --verify none --viewers 0 | harness viewers: --viewers: 0 (expected: >= 1)",
        "viewers --target http://127.0.0.1:1 --verify none --connections 0 | harness viewers: --connections: 0"
                + " (expected: 1-10000)",
        "viewers --target http://127.0.0.1:1 --verify none --pipeline 129 | harness viewers: --pipeline: 129"
                + " (expected: 1-128)",
        "viewers --target http://127.0.0.1:1 --verify none --io-threads 0 | harness viewers: --io-threads: 0"
                + " (expected: 1-64)",
        "viewers --target http://127.0.0.1:1 --verify none --peers 0 | harness viewers: --peers: 0 (expected: 1-1000)",
        "viewers --target http://127.0.0.1:1 --verify none --returning 1.5 | harness viewers: --returning: 1.5"
                + " (expected: 0 to 1)",
        "viewers --target http://127.0.0.1:1 --verify sample:2 | harness viewers: --verify: 'sample:2'",
        "viewers --target http://127.0.0.1:1 --verify none --arrival poisson:0 | harness viewers: --arrival:"
                + " 'poisson:0': rate: 0.0 (expected: > 0 per second)",
        "viewers --target http://127.0.0.1:1 | harness viewers: --trust: none given",
        "viewers --target http://127.0.0.1:1 --verify none --drain 0s | Invalid value for option '--drain'",
        "scenario overlay --peers 2001 --report OUT | harness scenario overlay: --peers: 2001 (expected: 1-2000)",
        "scenario streaming-viewers --via udp --report OUT | harness scenario streaming-viewers: --via: udp"
                + " (expected: push or pull)",
        "scenario flash-crowd --pipeline 0 --report OUT | harness scenario flash-crowd: --pipeline: 0 (expected: 1-128)",
        "relay --upstream http://127.0.0.1:1 --port -1 | harness relay: --port: -1 (expected: 0-65535; 0 for any)",
        "relay --upstream http://127.0.0.1:1 --port 65536 | harness relay: --port: 65536 (expected: 0-65535; 0 for any)",
        "relay --upstream http://127.0.0.1:1 --mode sideways | harness relay: --mode: sideways (expected: pass, tamper"
                + " or down)",
        "relay --upstream ftp://127.0.0.1:1 | harness relay: --upstream: ftp://127.0.0.1:1 (expected: http://HOST:PORT)",
        "burst --url http://127.0.0.1:1/ --concurrency 0 | harness burst: --concurrency: 0 (expected: 1-5000)",
        "burst --url http://127.0.0.1:1/ --timeout-seconds 0 | harness burst: --timeout-seconds: 0 (expected: 1-3600)",
        "burst --url http://127.0.0.1:1/ --header nocolon | harness burst: --header: 'nocolon' (expected: NAME: VALUE,"
                + " on one line)",
    })
    void anOutOfRangeValueIsAUsageErrorNamingTheOption(String line, String expected) {
        List<String> args = new ArrayList<>();
        for (String a : line.split(" ")) {
            args.add(a.equals("MAPS") ? dir.resolve("maps").toString() : a.equals("OUT") ? dir.resolve("out").toString() : a);
        }
        // the scenario command writes to System.err, the others to the command line's stream: both caught here
        PrintStream old = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        int code;
        try (PrintStream err = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setErr(err);
            CommandLine cl = HarnessMain.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            // generous for a loaded machine; the old churn --rounds 0 ran until --for
            code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cl.execute(args.toArray(String[]::new)));
        } finally {
            System.setErr(old);
        }
        String said = printed.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, "exit code; stderr: " + said + "; stdout: " + out);
        assertTrue(said.startsWith(expected), said);
        assertEquals("", out.toString(), "nothing ran");
    }
}

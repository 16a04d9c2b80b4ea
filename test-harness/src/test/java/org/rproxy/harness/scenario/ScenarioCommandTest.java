package org.rproxy.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.harness.HarnessMain;

import picocli.CommandLine;

class ScenarioCommandTest {
    @TempDir
    Path dir;

    @Test
    void anOptionTheScenarioDoesNotUseIsRefusedByNameWithExit2() {
        String err = runHarness(2, "scenario", "idle-flood", "--viewers", "1000");
        assertEquals("harness scenario idle-flood: --viewers is not used by this scenario (it uses: --max-age, --rproxy-jar)",
                err.strip());
        err = runHarness(2, "scenario", "tamper", "--seeding", "--via", "pull", "--peers", "3");
        assertEquals("harness scenario tamper: --via, --peers, --seeding are not used by this scenario (it uses: --viewers,"
                + " --window, --max-age, --connections, --pipeline, --io-threads, --rproxy-jar)", err.strip());
        err = runHarness(2, "scenario", "push-storm", "--window", "5s");
        assertTrue(err.contains("push-storm: --window is not used by this scenario"), err);
        err = runHarness(2, "scenario", "streaming-viewers", "--pipeline", "8");
        assertTrue(err.contains("streaming-viewers: --pipeline is not used by this scenario"), err);
        err = runHarness(2, "scenario", "overlay", "--rproxy-jar", "x.jar");
        assertTrue(err.contains("overlay: --rproxy-jar is not used by this scenario"), err);
    }

    @Test
    void onlyOptionsGivenOnTheCommandLineCountNotTheirDefaults() {
        assertEquals(Set.of(), given("idle-flood"));
        assertEquals(Set.of(), given("idle-flood", "--seed", "3", "--keep", "--report", dir.toString()));
        assertEquals(EnumSet.of(ScenarioOption.CONNECTIONS, ScenarioOption.SEEDING),
                given("idle-flood", "--connections", "64", "--seeding"));
        assertNull(ScenarioCommand.refusal(new IdleFlood(), EnumSet.of(ScenarioOption.MAX_AGE, ScenarioOption.RPROXY_JAR)));
        assertNull(ScenarioCommand.refusal(new FlashCrowd(), ScenarioOption.CROWD));
    }

    @Test
    void theHelpOfEachOptionNamesExactlyTheScenariosThatUseIt() {
        CommandLine cl = new CommandLine(new ScenarioCommand());
        Map<String, Scenario> all = ScenarioCommand.all();
        for (ScenarioOption o : ScenarioOption.values()) {
            String usedBy = Arrays.stream(cl.getCommandSpec().findOption(o.flag).description())
                    .filter(l -> l.startsWith("Used by: ")).findFirst().orElseThrow(() -> new AssertionError(o.flag + " says no 'Used by'"));
            String list = usedBy.substring("Used by: ".length()).replaceFirst("\\.$", "");
            Set<String> named = new TreeSet<>();
            if (list.equals("every scenario")) {
                named.addAll(all.keySet());
            } else if (list.startsWith("every scenario but ")) {
                named.addAll(all.keySet());
                named.removeAll(Arrays.asList(list.substring("every scenario but ".length()).split(", ")));
            } else {
                named.addAll(Arrays.asList(list.split(", ")));
            }
            Set<String> declared = all.values().stream().filter(s -> s.options().contains(o)).map(Scenario::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(declared, named, o.flag);
        }
    }

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

    /**
     * A value no crowd can run is a usage error (exit 2, the option named) before the lab starts, not
     * a scenario stopped (exit 1) after its origin and proxies were set up for nothing.
     */
    @Test
    void anImpossibleValueIsRefusedBeforeTheLabStarts() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int code;
        try {
            CommandLine cl = HarnessMain.commandLine().setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
            code = cl.execute("scenario", "flash-crowd", "--viewers", "0", "--report", dir.resolve("zero").toString());
        } finally {
            System.setErr(err);
        }
        String said = printed.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, said);
        assertTrue(said.contains("harness scenario flash-crowd: --viewers: 0 (expected: >= 1)"), said);
        assertFalse(Files.exists(dir.resolve("zero/verdict.txt")), "nothing ran");
        assertEquals("--window: 0s (expected: > 0)", ScenarioCommand.invalid(null, Duration.ZERO, 64, 8, 1, null, null));
        assertEquals("--pipeline: 0 (expected: 1-128)", ScenarioCommand.invalid(null, null, 64, 0, 1, null, null));
        assertEquals("--io-threads: 65 (expected: 1-64)", ScenarioCommand.invalid(null, null, 64, 8, 65, null, null));
        assertEquals("--connections: 0 (expected: 1-10000)", ScenarioCommand.invalid(null, null, 0, 8, 1, null, null));
        assertEquals("--peers: 0 (expected: 1-2000)", ScenarioCommand.invalid(null, null, 64, 8, 1, 0, null));
        assertNull(ScenarioCommand.invalid(1L, Duration.ofMillis(500), 64, 8, 1, 1, null));
    }

    /** A script reads each check's verdict from verdict.json, without parsing the table. */
    @Test
    void theVerdictIsWrittenAsJsonBesideTheTable() throws Exception {
        Scenario mixed = new Fake(ctx -> List.of(Check.of("viewers joined", "20", "20", true),
                Check.of("errors", "0", "3", false), Check.info("origin requests", "17"),
                Check.notRun("edge caches", "nginx is not installed")));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(1, ScenarioCommand.execute(mixed, options(false), dir.resolve("j"), quiet));
        JsonNode v = new ObjectMapper().readTree(dir.resolve("j/verdict.json").toFile());
        assertEquals("fake", v.get("scenario").asText());
        assertFalse(v.get("passed").asBoolean());
        assertEquals(4, v.get("checks").size());
        assertEquals("errors", v.get("checks").get(1).get("name").asText());
        assertEquals("3", v.get("checks").get(1).get("measured").asText());
        assertEquals("FAIL", v.get("checks").get(1).get("verdict").asText());
        assertEquals("INFO", v.get("checks").get(2).get("verdict").asText());
        assertEquals("NOT_RUN", v.get("checks").get(3).get("verdict").asText());
        assertEquals(0, ScenarioCommand.execute(new Fake(ctx -> List.of(Check.of("errors", "0", "0", true))), options(false),
                dir.resolve("k"), quiet));
        assertTrue(new ObjectMapper().readTree(dir.resolve("k/verdict.json").toFile()).get("passed").asBoolean());
    }

    private static ScenarioContext.Options options(boolean keep) {
        return new ScenarioContext.Options(null, null, 4, 4, 1, 1, null, null, keep, null, null, false);
    }

    private Set<ScenarioOption> given(String... args) {
        ScenarioCommand c = new ScenarioCommand();
        new CommandLine(c).parseArgs(args);
        return c.given();
    }

    private static String runHarness(int expected, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = HarnessMain.run(args);
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(expected, code, text);
        return text;
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
        public Set<ScenarioOption> options() {
            return Set.of();
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

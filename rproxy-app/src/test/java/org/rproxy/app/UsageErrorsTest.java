package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command line that does not say what to do is a usage error: exit 2, the reason and the usage on stderr. */
class UsageErrorsTest {

    @Test
    void rproxyAloneIsAUsageError() {
        CommandRun run = CommandRun.of();
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("missing a command (keygen, origin, proxy, fetch, verify, check or demo)"),
                run.toString());
        assertTrue(run.err().contains("Usage: rproxy"), run.toString());
        assertEquals("", run.out());
    }

    @Test
    void aLogLevelLogbackWouldTakeForDebugIsRefusedBeforeAnythingRuns() {
        System.setProperty("rproxy.log.level", "bogus");
        try {
            CommandRun run = CommandRun.of("--version");
            assertEquals(2, run.exit(), run.toString());
            assertEquals("rproxy: rproxy.log.level: 'bogus' is not a log level (expected: one of OFF, ERROR, WARN, INFO,"
                    + " DEBUG, TRACE, ALL)", run.err().strip());
            assertEquals("", run.out());
        } finally {
            System.clearProperty("rproxy.log.level");
        }
        assertEquals(0, CommandRun.of("--version").exit());
    }

    @Test
    void askingForHelpIsNot() {
        CommandRun run = CommandRun.of("--help");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("Usage: rproxy"), run.toString());
    }

    /**
     * {@code rproxy check --bogus} said only "give --config FILE, --maps DIR and/or --key FILE":
     * check takes any option (those of the node it checks), so it named none. It names the
     * unknown one now, with the usage and exit 2 as every other command, and the likely key option.
     */
    @Test
    void checkNamesAnUnknownOption() {
        CommandRun run = CommandRun.of("check", "--bogus");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Unknown option: '--bogus' (the options of 'rproxy proxy' go after --config"
                + " FILE, those of 'rproxy origin' after --maps DIR --key FILE)"), run.toString());
        assertTrue(run.err().contains("Usage: rproxy check"), run.toString());
        assertEquals("", run.out());
        run = CommandRun.of("check", "--keys", "k/origin.key");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Unknown options: '--keys', 'k/origin.key'"), run.toString());
        assertTrue(run.err().contains("Possible solutions: --key"), run.toString());
        run = CommandRun.of("check", "--key", "k/origin.key", "--listen", "127.0.0.1:8181");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Unknown options: '--listen', '127.0.0.1:8181' (the options of 'rproxy proxy'"
                + " go after --config FILE"), run.toString());
    }

    /**
     * An unknown option is named before a required one found missing (picocli checks those
     * first): {@code rproxy origin --keys k} said "Missing required option: '--key=FILE'", hiding
     * the typo. The same for every command with a required option or parameter.
     */
    @Test
    void anUnknownOptionIsNamedBeforeAMissingRequiredOne() {
        CommandRun run = CommandRun.of("origin", "--bogus");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Unknown option: '--bogus'\n"), run.toString());
        assertTrue(run.err().contains("Usage: rproxy origin"), run.toString());
        assertEquals("", run.out());
        run = CommandRun.of("origin", "--maps", "maps", "--keys", "k/origin.key");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Unknown options: '--keys', 'k/origin.key'"), run.toString());
        assertTrue(run.err().contains("Possible solutions: --key"), run.toString());
        for (String command : new String[] {"keygen", "fetch"}) {
            run = CommandRun.of(command, "--bogus");
            assertEquals(2, run.exit(), run.toString());
            assertTrue(run.err().startsWith("Unknown option: '--bogus'\n"), run.toString());
        }
        run = CommandRun.of("origin", "--maps", "maps");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Missing required option: '--key=FILE'"), "with nothing unknown: " + run);
    }

    /**
     * A node's options whose values do not read are refused all at once, one line each with the
     * command's prefix, as its other refusals at start are and as install.md says: picocli
     * stopped at the first and printed the command's whole usage after it (108 lines for a proxy,
     * 150 for an origin, in a unit's journal), the next mistake found only at the next start.
     */
    @Test
    void aNodeRefusesEveryValueThatDoesNotReadOneALineWithoutItsUsage() {
        CommandRun origin = CommandRun.of("origin", "--maps", "maps", "--key", "k", "--max-age", "60",
                "--validity", "1hour", "--listen", "127.0.0.1:99999");
        assertEquals(2, origin.exit(), origin.toString());
        assertEquals(List.of(
                "rproxy origin: Invalid value for option '--max-age': '60' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
                "rproxy origin: Invalid value for option '--validity': '1hour' is not a duration (expected e.g. 30s, 15m, 1h,"
                        + " 500ms)",
                "rproxy origin: Invalid value for option '--listen': '127.0.0.1:99999' is not HOST:PORT (expected e.g. 127.0.0.1:8282)",
                "rproxy origin: 'rproxy origin --help' lists every option"), origin.err().lines().toList());
        assertEquals("", origin.out());
        CommandRun proxy = CommandRun.of("proxy", "--config", "pull.yaml", "--max-bytes", "256M");
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals(List.of("rproxy proxy: Invalid value for option '--max-bytes': '256M' is not a size (expected e.g. 256MB,"
                + " 512KB, 2GB)", "rproxy proxy: pull.yaml: no such file", // the rest judged too (below)
                "rproxy proxy: 'rproxy proxy --help' lists every option"), proxy.err().lines().toList());
        // another command keeps picocli's answer: the refusal and the usage
        CommandRun fetch = CommandRun.of("fetch", "http://127.0.0.1:1/directory", "--trust", "k", "--timeout", "10");
        assertEquals(2, fetch.exit(), fetch.toString());
        assertTrue(fetch.err().startsWith("Invalid value for option '--timeout': '10' is not a duration"), fetch.toString());
        assertTrue(fetch.err().contains("Usage: rproxy fetch"), fetch.toString());
    }

    /**
     * A node's start names every problem of its options at once, as {@code rproxy check} does:
     * it named the values that do not read alone, and those out of range (or that do not go
     * together) only at the next start, once every value read, so an operator fixing a unit file
     * needed a start per kind. The refused value keeps its default while the rest are judged.
     */
    @Test
    void aNodeNamesTheValuesOutOfRangeWithThoseThatDoNotRead(@TempDir Path dir) {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        assertRefusedAtStart(List.of("origin", "--maps", "maps", "--key", "k", "--max-age", "60", "--max-connections", "0",
                        "--heartbeat", "soon", "--max-endpoint-pairs", "0"),
                "Invalid value for option '--max-age': '60' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
                "Invalid value for option '--heartbeat': 'soon' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
                "--max-connections: 0 (expected: 1 to 10000000)",
                "--max-endpoint-pairs: 0 (expected: >= 1)");
        assertRefusedAtStart(List.of("proxy", "--upstream", "http://127.0.0.1:1", "--trust",
                        dir.resolve("origin.pub").toString(), "--listen", "nonsense", "--max-bytes", "1KB",
                        "--max-connections", "0"),
                "Invalid value for option '--listen': 'nonsense' is not HOST:PORT (expected e.g. 127.0.0.1:8282)",
                "--max-connections: 0 (expected: 1 to 10000000; the process's file descriptor limit is the real bound)",
                "--max-bytes: 1KB (expected: >= 1MB)");
    }

    /** {@code args} (a node's command line) refused with exit 2 and exactly {@code problems}, each prefixed, then the --help line. */
    private static void assertRefusedAtStart(List<String> args, String... problems) {
        CommandRun run = CommandRun.of(args.toArray(new String[0]));
        String prefix = "rproxy " + args.get(0) + ": ";
        List<String> expected = new java.util.ArrayList<>(List.of(problems).stream().map(p -> prefix + p).toList());
        expected.add(prefix + "'rproxy " + args.get(0) + " --help' lists every option");
        assertEquals(2, run.exit(), run.toString());
        assertEquals(expected, run.err().lines().toList());
        assertEquals("", run.out());
    }
}

package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class VersionTest {

    /** The build's version, handed over by Maven (rproxy-app's surefire configuration). */
    private static final String EXPECTED = System.getProperty("rproxy.test.version");

    @Test
    void everySubcommandPrintsTheBuildVersionForDashVAndDashDashVersion() {
        assertNotNull(EXPECTED, "rproxy.test.version is not set: run the test through Maven");
        List<String> commands = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
        commands.remove("help");
        assertTrue(commands.containsAll(List.of("keygen", "origin", "proxy", "fetch", "verify", "demo", "check")),
                commands.toString());
        for (String command : commands) {
            for (String flag : List.of("-V", "--version")) {
                CommandRun run = CommandRun.of(command, flag);
                assertEquals(0, run.exit(), command + " " + flag + ": " + run);
                assertTrue(run.out().startsWith("rproxy " + EXPECTED + System.lineSeparator()),
                        command + " " + flag + ": " + run);
                assertTrue(run.out().contains("Java " + System.getProperty("java.version")), run.toString());
            }
        }
    }

    @Test
    void theTopLevelCommandPrintsItToo() {
        CommandRun run = CommandRun.of("--version");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("rproxy " + EXPECTED), run.toString());
        assertFalse(run.out().contains("${"), run.toString());
    }
}

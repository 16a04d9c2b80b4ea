package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}

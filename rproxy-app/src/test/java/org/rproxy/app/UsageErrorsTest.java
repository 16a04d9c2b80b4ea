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
    void askingForHelpIsNot() {
        CommandRun run = CommandRun.of("--help");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("Usage: rproxy"), run.toString());
    }
}

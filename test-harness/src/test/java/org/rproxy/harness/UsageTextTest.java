package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * Each subcommand's {@code --help} reads as written: its description wraps within the usage width
 * as one paragraph, without a short fragment after each of the source's lines; and {@code harness}
 * alone is a usage error.
 */
class UsageTextTest {

    @Test
    void everyDescriptionWrapsAsOneParagraphWithinTheWidth() {
        CommandLine main = HarnessMain.commandLine();
        List<String> broken = new ArrayList<>();
        for (CommandLine sub : main.getSubcommands().values()) {
            String name = sub.getCommandName();
            int width = sub.getUsageHelpWidth();
            String description = sub.getHelp().description();
            String[] lines = description.split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].stripTrailing();
                boolean last = i == lines.length - 1 || lines[i + 1].isBlank();
                if (line.length() > width || !last && !line.isBlank() && line.length() < width / 2) {
                    broken.add(name + ": '" + line + "'");
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    /** Before, {@code harness} alone printed the usage and exited 0, though its Javadoc and {@code rproxy} alone say 2. */
    @Test
    void harnessWithoutACommandIsAUsageErrorExitingTwo() {
        CommandLine main = HarnessMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        main.setOut(new PrintWriter(out));
        main.setErr(new PrintWriter(err));
        assertEquals(2, main.execute());
        assertTrue(err.toString().contains("missing a command (topology, viewers, churn, scenario, relay, burst or client-heap)"),
                err::toString);
        assertTrue(err.toString().contains("Usage: harness"), err::toString);
        assertEquals("", out.toString());
    }
}

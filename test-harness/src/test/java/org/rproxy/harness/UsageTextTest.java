package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * Each subcommand's {@code --help} reads as written: its description wraps within the usage width
 * as one paragraph, without a short fragment after each of the source's lines.
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
}

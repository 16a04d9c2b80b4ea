package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The harness README's table of commands names every option each command has, and none it does
 * not: the table is where an operator looks first, and it had drifted ({@code viewers --peers},
 * {@code --io-threads} and the mix's shares, {@code topology --extra-links}, {@code churn --seed}
 * were not in it). A negatable option may be written {@code --[no-]NAME}; {@code --help} and
 * {@code --version}, which every command has, need not be.
 */
class ReadmeOptionsTest {
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--(\\[no-\\])?([a-z][a-z0-9-]*)");

    @Test
    void theCommandsTableNamesEveryOptionOfEveryCommandAndNoOther() throws IOException {
        List<String> readme = Files.readAllLines(TestPaths.repo().resolve("test-harness/README.md"));
        List<String> wrong = new ArrayList<>();
        for (CommandLine sub : HarnessMain.commandLine().getSubcommands().values()) {
            String name = sub.getCommandName();
            if (name.equals("help")) {
                continue;
            }
            List<String> rows = readme.stream().filter(l -> l.startsWith("| `harness " + name + " ")).toList();
            if (rows.size() != 1) {
                wrong.add(name + ": " + rows.size() + " rows in the table");
                continue;
            }
            Set<String> written = new TreeSet<>();
            Matcher m = OPTION.matcher(rows.get(0));
            while (m.find()) {
                written.add("--" + m.group(2));
            }
            Set<String> real = new TreeSet<>();
            for (OptionSpec o : sub.getCommandSpec().options()) {
                real.add(o.longestName());
            }
            for (String o : real) {
                if (!written.contains(o) && !o.equals("--help") && !o.equals("--version")) {
                    wrong.add(name + ": " + o + " is not in its row");
                }
            }
            for (String o : written) {
                if (!real.contains(o)) {
                    wrong.add(name + ": its row names " + o + ", which it does not have");
                }
            }
        }
        assertEquals(List.of(), wrong);
    }
}

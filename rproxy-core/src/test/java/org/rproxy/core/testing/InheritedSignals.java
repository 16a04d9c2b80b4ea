package org.rproxy.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * For a test that starts a node in a JVM of its own and sends it a signal an operator sends
 * (Ctrl-C's SIGINT, {@code kill -HUP}): a build run as a background job of a non-interactive shell
 * ignores SIGINT, one run under {@code nohup} ignores SIGHUP, every process it starts inherits
 * that, and a JVM started so keeps ignoring it, as it should, so the node never sees the test's
 * signal. The prefix given here puts the signal's default back before the node's JVM starts
 * ({@code env --default-signal}, GNU coreutils 8.31 and later), only when the test's own JVM
 * ignores it (Linux's {@code /proc/self/status}).
 */
public final class InheritedSignals {

    private InheritedSignals() {
    }

    /**
     * The command prefix that starts a child with signal {@code name} (number {@code number}) at
     * its default: empty unless this JVM ignores it.
     */
    public static List<String> defaulted(String name, int number) {
        return ignored(number) ? List.of("env", "--default-signal=" + name) : List.of();
    }

    /** Whether this JVM ignores signal {@code number} ({@code SigIgn}'s bit number - 1); false where it cannot tell. */
    public static boolean ignored(int number) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & (1L << (number - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the child starts as it is
        }
        return false;
    }
}

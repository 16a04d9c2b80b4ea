package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;

/**
 * Where the once-a-second progress line goes: rewritten in place on a terminal (carriage return),
 * one plain line per second otherwise (a log file, CI), or nowhere.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private int lastLength;

    private Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Standard output; in-place updates when it is a terminal. */
    public static Progress console() {
        return new Progress(System.out, System.console() != null);
    }

    public static Progress lines(PrintStream out) {
        return new Progress(requireNonNull(out, "out"), false);
    }

    public static Progress none() {
        return new Progress(null, false);
    }

    synchronized void update(String line) {
        if (out == null) {
            return;
        }
        if (terminal) {
            StringBuilder b = new StringBuilder("\r").append(line);
            for (int i = line.length(); i < lastLength; i++) {
                b.append(' ');
            }
            lastLength = line.length();
            out.print(b);
            out.flush();
        } else {
            out.println(line);
        }
    }

    /** Ends an in-place line so that what follows starts on a fresh one. */
    synchronized void end() {
        if (out != null && terminal && lastLength > 0) {
            out.println();
            lastLength = 0;
        }
    }
}

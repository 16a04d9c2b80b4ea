package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.rproxy.app.Main;

/** The {@code rproxy} command line run in the test's JVM, for the cases that end at once (refusals). */
final class InProcessCommand {

    private InProcessCommand() {
    }

    /** Runs {@code args}, checks the exit code and returns what the command wrote to stderr. */
    static String run(int expected, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(expected, code, text);
        return text;
    }
}

package org.rproxy.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the {@code rproxy} command line in the test's JVM, with what it printed. */
record CommandRun(int exit, String out, String err) {

    static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandRun(exit, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exit + "\nout: " + out + "\nerr: " + err;
    }
}

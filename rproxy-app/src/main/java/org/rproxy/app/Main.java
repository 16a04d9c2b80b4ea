package org.rproxy.app;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.function.IntSupplier;

import org.rproxy.app.logging.LevelSettings;
import org.rproxy.core.concurrent.FatalErrors;
import org.rproxy.core.config.IoProblems;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code rproxy} command: one entry point with a subcommand per role.
 * Exit codes: 0 success, 1 the operation ran and failed (e.g. a response did not verify; a node
 * could not start now: {@link #exitCode}), 2 usage or configuration error; {@code fetch} adds 3
 * to 6 for the ways of not getting a response ({@link FetchOutcome}).
 */
@Command(name = "rproxy",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "ALTO redistribution proxy: signing origin, proxies, and a verifying client.",
        subcommands = {
                KeygenCommand.class,
                OriginCommand.class,
                ProxyCommand.class,
                FetchCommand.class,
                VerifyCommand.class,
                CheckCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(ended(() -> run(args), System.err, FatalErrors.EXIT));
    }

    /**
     * The exit status of {@code command}, or 1 when an error escapes it. An error thrown on the main
     * thread while a node starts (the origin loading and signing maps larger than its heap allows:
     * an {@link OutOfMemoryError}) passes picocli, which handles exceptions only, and ended the main
     * thread alone: the node's listener and event loops, which are not daemons, kept the JVM up,
     * answering {@code 503} for ever with nothing said but the JVM's own line. So it is said here,
     * and a fatal one ({@link FatalErrors}) ends the process at once through {@code fatal}, without
     * shutdown hooks, as on any other thread of a node; another error exits 1 after them.
     */
    static int ended(IntSupplier command, PrintStream err, FatalErrors.Fatal fatal) {
        try {
            return command.getAsInt();
        } catch (Throwable t) {
            if (!FatalErrors.isFatal(t)) {
                err.println("rproxy: failed with " + t);
                t.printStackTrace(err);
                return 1;
            }
            try {
                err.println("rproxy: failed with " + t + ": the JVM cannot be trusted after it; stopping (exit status "
                        + FatalErrors.EXIT_STATUS + "). An OutOfMemoryError needs more heap (-Xmx in JAVA_OPTS) or"
                        + " lower limits (an origin's maps: docs/origin.md)");
                err.flush();
            } catch (Throwable ignored) {
                // no memory left to say it with: stop all the same
            } finally {
                fatal.stop("main", t);
            }
            return FatalErrors.EXIT_STATUS; // a Fatal that returns (tests)
        }
    }

    /** Runs the command line and returns the exit code (used by tests and by {@link #main}). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /**
     * Runs the command line with its text output (verdict lines, help, errors) going to
     * {@code out} and {@code err} instead of the process's streams (null: those); for tests.
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        String logging = LevelSettings.problem(System::getProperty, System::getenv);
        if (logging != null) {
            // Refused before anything logs: Logback would take the level for DEBUG.
            PrintWriter to = err != null ? err : new PrintWriter(System.err, true);
            to.println("rproxy: " + logging);
            to.flush();
            return 2;
        }
        CommandLine cl = commandLine();
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, arguments) -> {
            ParameterException first = unknownFirst(ex);
            java.util.List<String> refusals = NodeOptions.startRefusals(first, arguments);
            if (refusals == null) {
                return usage.handleParseException(first, arguments);
            }
            refusals.forEach(first.getCommandLine().getErr()::println);
            return first.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // A refused maps folder lists a problem a line: each gets the prefix, for grep and the journal.
            for (String line : message(ex).split("\n")) {
                cmd.getErr().println("rproxy " + cmd.getCommandName() + ": " + line);
            }
            return exitCode(ex);
        });
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        return cl.execute(args);
    }

    /**
     * The exit status of a command that failed with {@code ex}: 1 when the machine's state now
     * stopped it ({@link NotNow}; or its one problem is a host name that did not resolve, as at
     * boot before the network is up), so that a unit starts it again; else 2, the file or the
     * options were refused, which starting again cannot change.
     */
    static int exitCode(Exception ex) {
        if (ex instanceof NotNow) {
            return 1;
        }
        if (!String.valueOf(ex.getMessage()).contains("\n")) {
            for (Throwable t = ex; t != null && t != t.getCause(); t = t.getCause()) {
                if (t instanceof java.net.UnknownHostException) {
                    return 1;
                }
            }
        }
        return 2;
    }

    /**
     * The usage error to report for {@code ex}: an unknown option rather than a required one found
     * missing, which picocli checks first, since the unknown one is most likely the operator's typo of
     * it ({@code --keys}); else {@code ex}.
     */
    static ParameterException unknownFirst(ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        if (ex instanceof MissingParameterException && cmd != null && !cmd.isUnmatchedArgumentsAllowed()
                && cmd.getCommandSpec().unmatchedArgsBindings().isEmpty() && !cmd.getUnmatchedArguments().isEmpty()) {
            return new UnmatchedArgumentException(cmd, cmd.getUnmatchedArguments());
        }
        return ex;
    }

    /**
     * What a command's failure says: its message, but for a failed file operation the file and
     * what happened ({@code k/origin.key: no such file}), where the JDK's message is the path alone.
     */
    static String message(Exception ex) {
        if (ex instanceof IOException io) {
            return IoProblems.message(io);
        }
        if (ex instanceof UncheckedIOException u) {
            return IoProblems.message(u.getCause());
        }
        return String.valueOf(Listeners.readable(ex.getMessage(), ex.getCause()));
    }

    /** The command line with every subcommand and the converters they share. */
    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** {@code rproxy} alone: a usage error (exit 2), with the usage on standard error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command (keygen, origin, proxy, fetch, verify,"
                + " check or demo)");
    }
}

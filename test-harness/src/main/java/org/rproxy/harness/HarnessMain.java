package org.rproxy.harness;

import java.time.Duration;

import org.rproxy.app.DurationConverter;
import org.rproxy.harness.churn.ChurnCommand;
import org.rproxy.harness.heap.ClientHeapCommand;
import org.rproxy.harness.load.BurstCommand;
import org.rproxy.harness.load.ViewersCommand;
import org.rproxy.harness.scenario.RelayCommand;
import org.rproxy.harness.scenario.ScenarioCommand;
import org.rproxy.harness.topology.TopologyCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code harness} command: synthetic ISPs, simulated viewers, map churn, whole scenarios, and
 * the relay and burst tools the benchmark script uses.
 * Exit codes: 0 success (a scenario passed its checks), 1 it ran and failed its checks,
 * 2 usage or configuration error.
 */
@Command(name = "harness",
        mixinStandardHelpOptions = true,
        version = "rproxy harness 0.1.0-SNAPSHOT",
        description = "Load and fault harness for rproxy: topologies, viewers, churn, scenarios.",
        subcommands = {
                TopologyCommand.class,
                ViewersCommand.class,
                ChurnCommand.class,
                ScenarioCommand.class,
                RelayCommand.class,
                BurstCommand.class,
                ClientHeapCommand.class,
                CommandLine.HelpCommand.class
        })
public final class HarnessMain implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (used by tests and by {@link #main}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with every subcommand, its converters and its error handling (exit 2); tests set its streams. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HarnessMain())
                .registerConverter(Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // an exception without a message is named, never printed as "null"
            cmd.getErr().println("harness " + cmd.getCommandName() + ": " + (ex.getMessage() != null ? ex.getMessage() : ex));
            if (Boolean.getBoolean("harness.trace")) {
                ex.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return cl;
    }

    @Spec
    private CommandSpec spec;

    /** {@code harness} alone: a usage error (exit 2), with the usage on standard error, as {@code rproxy} alone is. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command (topology, viewers, churn, scenario, relay,"
                + " burst or client-heap)");
    }
}

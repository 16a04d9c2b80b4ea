package org.rproxy.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line a node starts with, read by {@code rproxy check}: {@code check --config FILE
 * OPTIONS...} reads OPTIONS as {@code rproxy proxy --config FILE OPTIONS...} does, and {@code
 * check --maps DIR --key FILE OPTIONS...} as {@code rproxy origin} does, with the very option
 * definitions and converters of those commands, every option refused told (not the first alone); so a unit's {@code ExecStartPre} check given the
 * options of its {@code ExecStart} judges what the node will start with. An option neither
 * command knows is a usage error, as it would be at start. The node itself, refused a value at
 * start, lists its refusals the same way, with what its options' checks refuse of the rest, as
 * check does ({@link #startRefusals}). Stateless.
 */
final class NodeOptions {

    private NodeOptions() {
    }

    /**
     * {@code rproxy proxy --config FILE OPTIONS...}, parsed (nothing checked yet); each option
     * refused is told to {@code refused}, and left as if not given.
     */
    static ProxyCommand proxy(Path config, List<String> options, Consumer<String> refused) {
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        args.addAll(options);
        return parse(new ProxyCommand(), new ProxyCommand(), args, as("proxy", refused));
    }

    /** {@code rproxy origin --maps DIR --key FILE OPTIONS...}, parsed as {@link #proxy} is. */
    static OriginCommand origin(Path maps, Path key, List<String> options, Consumer<String> refused) {
        List<String> args = new ArrayList<>(List.of("--maps", maps.toString()));
        if (key != null) {
            args.addAll(List.of("--key", key.toString()));
        }
        args.addAll(options);
        return parse(new OriginCommand(), new OriginCommand(), args, as("origin", refused));
    }

    /** {@code refused}, told each refusal as an option of {@code rproxy NAME} (check's lines name the node's options so). */
    private static Consumer<String> as(String name, Consumer<String> refused) {
        return e -> refused.accept("as an option of 'rproxy " + name + "': " + e);
    }

    /**
     * Parses {@code args} into {@code command} with the converters {@link Main#commandLine}
     * registers, telling {@code refused} of every option refused (a value its converter refuses,
     * an unknown option, one missing its value), each in one line rather than the other command's
     * whole usage, instead of stopping at the first; what is refused keeps its default, so that
     * the options' own checks ({@code settings()}) judge the rest. Picocli applies the defaults
     * only once every argument has been read, so when the last argument is refused it applies
     * none ({@code check --maps DIR --key FILE --max-age 60} left {@code --listen} null, and the
     * check then failed on it with a NullPointerException's message for a problem): every
     * option not given, or refused, takes its value from {@code fresh}, parsed with no argument
     * (picocli applies the defaults then, a required option missing notwithstanding).
     */
    private static <T> T parse(T command, T fresh, List<String> args, Consumer<String> refused) {
        CommandLine.ParseResult read = parser(command).parseArgs(args.toArray(new String[0]));
        read.errors().stream().map(Exception::getMessage).distinct().forEach(refused);
        if (!read.errors().isEmpty()) {
            CommandLine defaultsParser = parser(fresh);
            defaultsParser.parseArgs();
            CommandLine.Model.CommandSpec defaults = defaultsParser.getCommandSpec();
            for (CommandLine.Model.OptionSpec option : read.commandSpec().options()) {
                if (!read.hasMatchedOption(option) && defaults.findOption(option.longestName()) != null) {
                    option.setValue(defaults.findOption(option.longestName()).getValue());
                }
            }
        }
        return command;
    }

    /**
     * The node's own command line refused for a value: every problem its options have, one line
     * each, each with the command's prefix as its other refusals at start have, and where to find
     * the options, instead of the first alone followed by the whole usage (150 lines in a unit's
     * journal, the refusal at their top); null when {@code failed} is no node's command line, or
     * the refusal is not of a value (an unknown option, a required one missing), which keeps
     * picocli's answer. Every problem means both kinds at once, as {@code rproxy check} lists
     * them: the values that do not read, and what the options' own checks ({@code settings()}:
     * a value out of range, options that do not go together, the proxy's file) refuse of the
     * rest, those refused left at their defaults; picocli stops at a value that does not read, so
     * without this an operator learnt of the values out of range only at the next start.
     */
    static List<String> startRefusals(ParameterException failed, String[] arguments) {
        CommandLine cl = failed.getCommandLine();
        if (failed instanceof UnmatchedArgumentException || failed instanceof MissingParameterException || cl == null) {
            return null;
        }
        int at = List.of(arguments).indexOf(cl.getCommandName());
        if (!(cl.getCommand() instanceof OriginCommand || cl.getCommand() instanceof ProxyCommand) || at < 0) {
            return null;
        }
        List<String> args = List.of(arguments).subList(at + 1, arguments.length);
        List<String> problems = new ArrayList<>();
        Runnable settings = cl.getCommand() instanceof OriginCommand
                ? parse(new OriginCommand(), new OriginCommand(), args, problems::add)::settings
                : parse(new ProxyCommand(), new ProxyCommand(), args, problems::add)::settings;
        if (problems.isEmpty()) {
            problems.add(failed.getMessage()); // picocli refused a value; read again, it would be among them
        }
        problems.addAll(settingsProblems(settings));
        String prefix = "rproxy " + cl.getCommandName() + ": ";
        List<String> lines = new ArrayList<>(problems.stream().map(p -> prefix + p).toList());
        lines.add(prefix + "'rproxy " + cl.getCommandName() + " --help' lists every option");
        return lines;
    }

    /** What {@code settings} refuses, a problem a line (options refused together come as one message); empty when it binds. */
    private static List<String> settingsProblems(Runnable settings) {
        try {
            settings.run();
            return List.of();
        } catch (RuntimeException e) {
            return Main.message(e).lines().toList();
        }
    }

    /** A parser of {@code command} with the converters of {@link Main#commandLine}, collecting every error. */
    private static CommandLine parser(Object command) {
        CommandLine cl = new CommandLine(command).registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true);
        cl.getCommandSpec().parser().collectErrors(true);
        return cl;
    }
}

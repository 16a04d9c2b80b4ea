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
 * start, lists its refusals the same way ({@link #startRefusals}). Stateless.
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
        return parse(new ProxyCommand(), new ProxyCommand(), "proxy", args, 2, refused);
    }

    /** {@code rproxy origin --maps DIR --key FILE OPTIONS...}, parsed as {@link #proxy} is. */
    static OriginCommand origin(Path maps, Path key, List<String> options, Consumer<String> refused) {
        List<String> args = new ArrayList<>(List.of("--maps", maps.toString()));
        if (key != null) {
            args.addAll(List.of("--key", key.toString()));
        }
        int required = args.size();
        args.addAll(options);
        return parse(new OriginCommand(), new OriginCommand(), "origin", args, required, refused);
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
     * option not given, or refused, takes its value from {@code fresh}, parsed with the required
     * arguments alone ({@code required}, the first of {@code args}).
     */
    private static <T> T parse(T command, T fresh, String name, List<String> args, int required, Consumer<String> refused) {
        CommandLine.ParseResult read = parser(command).parseArgs(args.toArray(new String[0]));
        read.errors().stream().map(Exception::getMessage).distinct()
                .map(e -> "as an option of 'rproxy " + name + "': " + e).forEach(refused);
        if (!read.errors().isEmpty()) {
            CommandLine defaultsParser = parser(fresh);
            defaultsParser.parseArgs(args.subList(0, required).toArray(new String[0]));
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
     * The node's own command line refused for a value: every option refused, one line each, each
     * with the command's prefix as its other refusals at start have, and where to find the options,
     * instead of the first alone followed by the whole usage (150 lines in a unit's journal, the
     * refusal at their top); null when {@code failed} is no node's command line, or the refusal is
     * not of a value (an unknown option, a required one missing), which keeps picocli's answer.
     */
    static List<String> startRefusals(ParameterException failed, String[] arguments) {
        CommandLine cl = failed.getCommandLine();
        if (failed instanceof UnmatchedArgumentException || failed instanceof MissingParameterException || cl == null) {
            return null;
        }
        Object fresh = cl.getCommand() instanceof OriginCommand ? new OriginCommand()
                : cl.getCommand() instanceof ProxyCommand ? new ProxyCommand() : null;
        int at = List.of(arguments).indexOf(cl.getCommandName());
        if (fresh == null || at < 0) {
            return null;
        }
        List<String> lines = new ArrayList<>();
        String prefix = "rproxy " + cl.getCommandName() + ": ";
        errors(fresh, List.of(arguments).subList(at + 1, arguments.length)).forEach(e -> lines.add(prefix + e));
        if (lines.isEmpty()) {
            lines.add(prefix + failed.getMessage());
        }
        lines.add(prefix + "'rproxy " + cl.getCommandName() + " --help' lists every option");
        return lines;
    }

    /** What parsing {@code args} into {@code command} refused, every option (not the first alone), in order. */
    private static List<String> errors(Object command, List<String> args) {
        return parser(command).parseArgs(args.toArray(new String[0])).errors().stream().map(Exception::getMessage)
                .distinct().toList();
    }

    /** A parser of {@code command} with the converters of {@link Main#commandLine}, collecting every error. */
    private static CommandLine parser(Object command) {
        CommandLine cl = new CommandLine(command).registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true);
        cl.getCommandSpec().parser().collectErrors(true);
        return cl;
    }
}

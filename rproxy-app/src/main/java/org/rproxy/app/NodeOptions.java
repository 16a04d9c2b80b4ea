package org.rproxy.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import picocli.CommandLine;

/**
 * The command line a node starts with, read by {@code rproxy check}: {@code check --config FILE
 * OPTIONS...} reads OPTIONS as {@code rproxy proxy --config FILE OPTIONS...} does, and {@code
 * check --maps DIR --key FILE OPTIONS...} as {@code rproxy origin} does, with the very option
 * definitions and converters of those commands, every option refused told (not the first alone); so a unit's {@code ExecStartPre} check given the
 * options of its {@code ExecStart} judges what the node will start with. An option neither
 * command knows is a usage error, as it would be at start. Stateless.
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
        return parse(new ProxyCommand(), "proxy", args, refused);
    }

    /** {@code rproxy origin --maps DIR --key FILE OPTIONS...}, parsed as {@link #proxy} is. */
    static OriginCommand origin(Path maps, Path key, List<String> options, Consumer<String> refused) {
        List<String> args = new ArrayList<>(List.of("--maps", maps.toString()));
        if (key != null) {
            args.addAll(List.of("--key", key.toString()));
        }
        args.addAll(options);
        return parse(new OriginCommand(), "origin", args, refused);
    }

    /**
     * Parses {@code args} into {@code command} with the converters {@link Main#commandLine}
     * registers, telling {@code refused} of every option refused (a value its converter refuses,
     * an unknown option, one missing its value), each in one line rather than the other command's
     * whole usage, instead of stopping at the first; what is refused keeps its default, so that
     * the options' own checks ({@code settings()}) judge the rest.
     */
    private static <T> T parse(T command, String name, List<String> args, Consumer<String> refused) {
        CommandLine cl = new CommandLine(command).registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true);
        cl.getCommandSpec().parser().collectErrors(true);
        cl.parseArgs(args.toArray(new String[0])).errors().stream()
                .map(e -> "as an option of 'rproxy " + name + "': " + e.getMessage()).distinct().forEach(refused);
        return command;
    }
}

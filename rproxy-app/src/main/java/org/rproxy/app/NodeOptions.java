package org.rproxy.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;

/**
 * The command line a node starts with, read by {@code rproxy check}: {@code check --config FILE
 * OPTIONS...} reads OPTIONS as {@code rproxy proxy --config FILE OPTIONS...} does, and {@code
 * check --maps DIR --key FILE OPTIONS...} as {@code rproxy origin} does, with the very option
 * definitions and converters of those commands; so a unit's {@code ExecStartPre} check given the
 * options of its {@code ExecStart} judges what the node will start with. An option neither
 * command knows is a usage error, as it would be at start. Stateless.
 */
final class NodeOptions {

    private NodeOptions() {
    }

    /** {@code rproxy proxy --config FILE OPTIONS...}, parsed (nothing checked yet). */
    static ProxyCommand proxy(Path config, List<String> options) {
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        args.addAll(options);
        return parse(new ProxyCommand(), "proxy", args);
    }

    /** {@code rproxy origin --maps DIR --key FILE OPTIONS...}, parsed (nothing checked yet). */
    static OriginCommand origin(Path maps, Path key, List<String> options) {
        List<String> args = new ArrayList<>(List.of("--maps", maps.toString()));
        if (key != null) {
            args.addAll(List.of("--key", key.toString()));
        }
        args.addAll(options);
        return parse(new OriginCommand(), "origin", args);
    }

    /** Parses {@code args} into {@code command} with the converters {@link Main#commandLine} registers. */
    private static <T> T parse(T command, String name, List<String> args) {
        try {
            new CommandLine(command).registerConverter(java.time.Duration.class, new DurationConverter())
                    .setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            // A usage error of check's (exit 2), in one line rather than the other command's whole usage.
            throw new IllegalArgumentException("as an option of 'rproxy " + name + "': " + e.getMessage(), e);
        }
        return command;
    }
}

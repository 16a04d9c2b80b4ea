package org.rproxy.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.rproxy.core.testing.InheritedSignals;

/** {@code rproxy} run in a JVM of its own, as an operator runs it, for the demo's tests. */
final class DemoProcess {

    private DemoProcess() {
    }

    /**
     * Starts {@code rproxy args} with its temporary folder {@code tmp} and its stderr to {@code err};
     * with {@code home} as {@code RPROXY_HOME} (its stdout then discarded), else with none.
     */
    static Process start(Path home, Path tmp, Path err, String... args) throws IOException {
        return start(List.of(), home, tmp, err, args);
    }

    /**
     * As {@link #start(Path, Path, Path, String...)}, with SIGINT at its default, as in a
     * terminal's foreground job, where Ctrl-C sends it, however this build was started
     * ({@link InheritedSignals}).
     */
    static Process startInterruptible(Path home, Path tmp, Path err, String... args) throws IOException {
        return start(InheritedSignals.defaulted("INT", 2), home, tmp, err, args);
    }

    private static Process start(List<String> prefix, Path home, Path tmp, Path err, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().remove("RPROXY_HOME");
        if (home != null) {
            pb.environment().put("RPROXY_HOME", home.toString());
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        return pb.start();
    }

    /** The demos' folders in {@code tmp}. */
    static List<Path> demoFolders(Path tmp) throws IOException {
        try (Stream<Path> all = Files.list(tmp)) {
            return all.filter(p -> p.getFileName().toString().startsWith("rproxy-demo-")).toList();
        }
    }

    /** {@code file}'s text, or why it could not be read (for failure messages). */
    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}

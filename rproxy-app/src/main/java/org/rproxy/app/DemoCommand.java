package org.rproxy.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rproxy demo}: everything on one machine with nothing to prepare. Generates a key into a
 * temporary folder, copies the sample maps next to it (so they can be edited without touching the
 * checkout), starts a signing origin, two pull-mode proxies and a push-mode proxy
 * ({@link RunningDemo}), and prints what to try. Runs until interrupted; a shutdown hook, installed
 * before anything is written, stops every node and removes a temporary work folder's key and maps
 * ({@link DemoStop}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Start a signing origin, two pull-mode proxies and a push-mode proxy on the sample maps.",
                "The origin gets a fresh key and lists the proxies in its directory; prints commands to try.",
                "Runs until interrupted (Ctrl-C)."})
final class DemoCommand implements Callable<Integer> {

    /** The sample maps shipped in the jar (copied from conf/maps at build time). */
    static final List<String> SAMPLE_MAPS = List.of(
            "default-network-map.json", "routingcost-map.json", "hopcount-map.json", "endpoint-properties.json");

    @Option(names = "--port", defaultValue = "8181", paramLabel = "PORT", converter = OptionConverters.PortConverter.class,
            description = {"Origin port on 127.0.0.1 (default ${DEFAULT-VALUE}); the proxies take 8282, 8283 and 8383.",
                    "A port that is taken is replaced by a free one, and a line says which; 0 puts every node on a free port."})
    int port;

    @Option(names = "--dir", paramLabel = "DIR", description = {"Work folder for the key and a copy of the sample"
            + " maps (default: a new temporary folder, whose key and maps are removed on stop); one that holds a"
            + " demo's files already is refused.", "A failed start removes what it wrote."})
    Path dir;

    @Override
    public Integer call() throws Exception {
        DemoFiles files = new DemoFiles();
        // Before anything is written: a Ctrl-C in the first seconds must not leave the key behind.
        DemoStop stop = new DemoStop(files, dir == null, System.err);
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "rproxy-demo-shutdown"));
        Path work = dir != null ? files.folders(dir)
                : files.temporaryFolder(Path.of(System.getProperty("java.io.tmpdir")));
        RunningDemo demo = RunningDemo.start(files, work, port); // a failed start removes what it wrote
        if (!stop.started(demo)) {
            return 1; // stopped while starting: the JVM is exiting, with the signal's status
        }
        printGuide(System.out, demo);
        Thread.currentThread().join();
        return 0;
    }

    /**
     * How to run this rproxy from another terminal, as the lines printed say: {@code rproxy} when
     * the launcher that started it ({@code RPROXY_LAUNCHER}, set by {@code bin/rproxy} and the
     * installed launcher) is the one {@code PATH} finds, else the launcher's absolute path; without
     * a launcher, {@code java -jar JAR} for a jar, else {@code rproxy}.
     *
     * @param code where this class was loaded from (a jar or a folder), or null
     */
    static String launcher(Map<String, String> env, URL code) {
        String given = env.get("RPROXY_LAUNCHER");
        if (given == null || given.isBlank()) {
            try {
                Path jar = code == null ? null : Path.of(code.toURI());
                return jar != null && Files.isRegularFile(jar) ? "java -jar " + quoted(jar.toString()) : "rproxy";
            } catch (URISyntaxException | IllegalArgumentException e) {
                return "rproxy";
            }
        }
        Path launcher = Path.of(given).toAbsolutePath().normalize();
        try {
            Path real = launcher.toRealPath();
            for (String folder : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path found = folder.isEmpty() ? null : Path.of(folder, "rproxy");
                if (found != null && Files.isExecutable(found) && found.toRealPath().equals(real)) {
                    return "rproxy";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not found on PATH as it is: the path, which works from anywhere
        }
        return quoted(launcher.toString());
    }

    private static String quoted(String path) {
        return path.matches("[A-Za-z0-9_./+:@%-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
    }

    /** Copies the sample maps into {@code target}. */
    static void copySampleMaps(Path target) throws IOException {
        copySampleMaps(target, new DemoFiles());
    }

    /**
     * Copies the sample maps into {@code target}, each recorded in {@code files} first.
     *
     * @return each copy made of a file (a map of {@code RPROXY_HOME/conf/maps}) and that file; the jar's are not listed
     */
    static Map<Path, Path> copySampleMaps(Path target, DemoFiles files) throws IOException {
        Path home = System.getenv("RPROXY_HOME") == null ? null : Path.of(System.getenv("RPROXY_HOME"), "conf", "maps");
        Map<Path, Path> copied = new java.util.LinkedHashMap<>();
        for (String name : SAMPLE_MAPS) {
            if (home != null && Files.isRegularFile(home.resolve(name))) {
                files.write(target.resolve(name), f -> Files.copy(home.resolve(name), f));
                copied.put(target.resolve(name), home.resolve(name));
                continue;
            }
            try (InputStream in = DemoCommand.class.getResourceAsStream("/demo-maps/" + name)) {
                if (in == null) {
                    throw new IOException("sample map " + name + " is missing from the jar");
                }
                files.write(target.resolve(name), f -> Files.copy(in, f));
            }
        }
        return copied;
    }

    static void printGuide(PrintStream out, RunningDemo demo) {
        String o = demo.origin().baseUri();
        String p1 = demo.pulls().get(0).pull().baseUri();
        String p2 = demo.pulls().get(1).pull().baseUri();
        String push = demo.push().baseUri();
        String rproxy = launcher(System.getenv(), DemoCommand.class.getProtectionDomain().getCodeSource() == null ? null
                : DemoCommand.class.getProtectionDomain().getCodeSource().getLocation());
        Path pub = demo.pub();
        Path work = demo.work();
        out.println();
        demo.moved().forEach(line -> out.println("rproxy demo: " + line));
        out.println("rproxy demo is running. Work folder: " + work);
        out.println("  origin (signing, key id " + demo.origin().keyId() + "): " + o);
        out.println("  pull-mode proxies: " + p1 + "  " + p2 + "   (metrics: " + demo.pulls().stream()
                .map(p -> "http://127.0.0.1:" + p.pull().adminAddress().getPort() + "/metrics")
                .collect(Collectors.joining("  ")) + ")");
        out.println("  push-mode proxy:   " + push + "   (follows the origin's update stream)");
        out.println("  the origin lists the three proxies in its /directory (meta.alto-redist.proxies) and /capability");
        out.println("  maps folder: " + work.resolve("maps") + "    public key: " + pub);
        out.println();
        out.println("Try (in another terminal):");
        out.println("  curl -s " + o + "/directory");
        out.println("  curl -s " + o + "/capability");
        out.println("  curl -s '" + o + "/cost/row?srcpid=PID1'");
        out.println("  curl -si " + p1 + "/networkmap/default-network-map     # note Via and Age");
        out.println("  curl -s -X POST -H 'Content-Type: application/alto-endpointpropparams+json' \\");
        out.println("       -d '{\"properties\":[\"default-network-map.pid\"],\"endpoints\":[\"ipv4:128.36.1.10\"]}' "
                + o + "/endpointprop");
        out.println();
        out.println("Verify what any node serves (exit code 0 only when valid):");
        out.println("  " + rproxy + " fetch " + p1 + "/networkmap/default-network-map --trust " + pub);
        out.println("  " + rproxy + " fetch " + p2 + "/costmap/routingcost-map --trust " + pub + " --gzip");
        out.println("  " + rproxy + " fetch " + o + "/prop/pid --trust " + pub);
        out.println("  " + rproxy + " fetch --origin " + o + " --keyid " + demo.origin().keyId()
                + " /networkmap/default-network-map   # finds a proxy in the origin's list");
        out.println("Keep a signed bundle, and check it later without the network:");
        out.println("  " + rproxy + " fetch " + p2 + "/directory --trust " + pub + " -o " + work.resolve("directory.http"));
        out.println("  " + rproxy + " verify " + work.resolve("directory.http") + " --trust " + pub);
        out.println();
        out.println("Watch a change arrive through the push-mode proxy's update stream:");
        out.println("  curl -sN -X POST -H 'Content-Type: application/alto-updatestreamparams+json' \\");
        out.println("       -d '{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}}}' " + push + "/updates");
        out.println("  # then change a cost in " + work.resolve("maps").resolve("routingcost-map.json") + ":");
        out.println("  # the stream shows a merge patch and its signature at once, and every proxy serves it:");
        out.println("  " + rproxy + " fetch " + push + "/costmap/routingcost-map --trust " + pub);
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }
}

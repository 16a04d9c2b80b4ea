package org.rproxy.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.origin.MapsFolder;
import org.rproxy.origin.MapsLimits;
import org.rproxy.origin.OriginKeys;
import org.rproxy.overlay.OverlayConfig;
import org.rproxy.overlay.PublisherKeys;
import org.rproxy.push.PushFeed;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code rproxy check}: what an operator runs before (re)starting a node, as {@code nginx -t}:
 * it reads a proxy's config file, an origin's maps folder and key, with the very validators the
 * node starts with ({@link ConfigLoader}, {@link MapsFolder}, the key and TLS readers), and lists
 * every problem found, one a line, instead of stopping at the first. Nothing listens. Runs on the
 * main thread.
 */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Check a proxy config file, an origin's maps folder and key without starting anything.",
                "Lists every problem found (file: key or field: reason); exit status 0 when there is none, 1 when"
                        + " there are some.",
                "Options of 'rproxy proxy' after --config FILE, or of 'rproxy origin' after --maps DIR --key FILE, are"
                        + " checked as the node checks them at start (e.g. --listen, --admin, --tls-cert)."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Proxy config file (pull or push, e.g. /etc/rproxy/pull.yaml), with the keys and TLS files it names.")
    Path config;

    @Option(names = "--maps", paramLabel = "DIR", description = "Origin maps folder (e.g. /etc/rproxy/maps).")
    Path maps;

    @Option(names = "--key", paramLabel = "FILE", description = "Origin private key (PKCS#8 PEM) to read.")
    Path key;

    @Option(names = "--max-map-file-size", defaultValue = "128MB", paramLabel = "SIZE",
            converter = OptionConverters.SizeConverter.class,
            description = "With --maps: the largest maps file, as the origin's option (default ${DEFAULT-VALUE}).")
    ByteSize maxMapFileSize;

    /** The options of {@code rproxy proxy} (with --config) or {@code rproxy origin} (with --maps) the node starts with. */
    @Unmatched
    List<String> nodeOptions = new ArrayList<>();

    @Override
    public Integer call() {
        if (!nodeOptions.isEmpty() && (config == null) == (maps == null)) {
            // Named first, as every command names an unknown option: most likely a typo of one of check's.
            throw new UnmatchedArgumentException(spec.commandLine(), nodeOptions, " (the options of 'rproxy proxy' go"
                    + " after --config FILE, those of 'rproxy origin' after --maps DIR --key FILE)");
        }
        if (config == null && maps == null && key == null) {
            throw new ParameterException(spec.commandLine(), "give --config FILE, --maps DIR and/or --key FILE");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> problems = new ArrayList<>();
        if (config != null) {
            checkConfig(out, problems);
        }
        if (maps != null) {
            checkMaps(out, problems, limits());
            if (!nodeOptions.isEmpty()) {
                try {
                    // What the origin checks of its options before it starts (listen and admin, TLS, times, ...).
                    OriginCommand origin = NodeOptions.origin(maps, key, nodeOptions, problems::add);
                    origin.settings();
                    OriginOptions.tlsKeyWarning(origin.tlsKey).ifPresent(w -> out.println(w + " (warning)"));
                    ProxyFiles.heartbeatWarning("--heartbeat", origin.heartbeat)
                            .ifPresent(w -> out.println(w + " (warning)"));
                } catch (RuntimeException e) {
                    problems.addAll(lines(e)); // every option refused, one a line
                }
            }
        }
        if (key != null) {
            try {
                // A PEM key or a keys file (key rotation), read as the origin reads it.
                List<String> ids = OriginKeys.read(key).keyIds();
                OriginOptions.checkKeyModes(key);
                OriginOptions.keyModeWarnings(key).forEach(w -> out.println(w + " (warning)"));
                out.println(key + ": OK (key id " + ids.get(0) + (ids.size() == 1 ? ""
                        : ", also publishing " + String.join(", ", ids.subList(1, ids.size()))) + ")");
            } catch (RuntimeException e) {
                for (String line : String.valueOf(e.getMessage()).split("\n")) {
                    problems.add(ProxyFiles.named(key, line)); // a keys file's problems, each on a line
                }
            }
        }
        problems.forEach(out::println);
        if (!problems.isEmpty()) {
            out.println("rproxy check: " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
        }
        out.flush();
        return problems.isEmpty() ? 0 : 1;
    }

    private void checkConfig(PrintWriter out, List<String> problems) {
        // The options it starts with fill in what the file leaves out (its upstream, its keys), as at start.
        List<String> refused = new ArrayList<>(); // told after the file's problems
        ProxyCommand proxy = NodeOptions.proxy(config, nodeOptions, refused::add);
        List<String> found = ProxyFile.check(config, proxy.upstream, proxy.trust, proxy.listen,
                proxy.sources());
        problems.addAll(found);
        problems.addAll(refused);
        // The overlay's file the options name is checked whatever the file's problems.
        OverlayConfig overlay = proxy.overlay == null ? null : OverlayFiles.check(proxy.overlay, problems);
        if (overlay != null) {
            out.println(proxy.overlay + ": OK (overlay: DHT on UDP port " + overlay.dhtPort() + ", BitTorrent on TCP"
                    + " port " + overlay.btPort() + ", publishing with key " + overlay.key() + ", publisher key "
                    + PublisherKeys.of(overlay.key()) + ")");
        }
        if (!found.isEmpty()) {
            return;
        }
        // The file binds; with the options it starts with on top, what the node reads next are the files named.
        ProxyConfig c;
        try {
            c = proxy.settings();
        } catch (RuntimeException e) {
            problems.addAll(lines(e));
            return;
        }
        int before = problems.size();
        List<Path> trust = c.upstream().trust();
        problems.addAll(ProxyFiles.problems(c, proxy.sources(), proxy.seedBundles));
        if (problems.size() == before && refused.isEmpty()) {
            out.println(config + ": OK (" + c.mode() + " proxy " + c.name() + " on " + c.listen().address()
                    + " in front of " + c.upstream().urls().stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(", ")) + ", " + trusted(trust) + ")");
            ProxyFiles.warnings(c, proxy.sources(), proxy.overlay, overlay)
                    .forEach(w -> out.println(w + " (warning)"));
            // a default is a share of this JVM's heap, not the proxy's: say what was taken (a push
            // proxy's pull half takes it too)
            out.println(config + ": upstream answers waiting for verification and query bodies forwarded until answered"
                    + " within upstream.max-unverified-bytes "
                    + size(c.upstream().effectiveMaxUnverifiedBytes()) + (c.upstream().maxUnverifiedBytes() != null ? ""
                    : " (the default for this check's heap, 1/" + UpstreamConfig.HEAP_SHARE_FOR_UNVERIFIED
                    + " of it and at least max-body; the proxy takes that share of its own)"));
            if (c.mode() == ProxyConfig.Mode.PUSH) {
                out.println(config + ": the update stream's events are not counted there: verified one at a time,"
                        + " they wait within about " + size(PushFeed.unverifiedBytesPerStream(
                                PushPullProxy.feedConfig(c).maxEventBytes()))
                        + " per stream (8MB read ahead, and two events of at most max-body), twice that while a"
                        + " preferred upstream's stream is tried beside it");
            }
        }
    }

    /** What {@code e} says, a problem a line (options refused together come as one message). */
    private static List<String> lines(RuntimeException e) {
        return Main.message(e).lines().toList();
    }

    /** The maps limits of the origin's options given, or the defaults (those the options' check reports as bad too). */
    private MapsLimits limits() {
        if (!nodeOptions.isEmpty()) {
            try {
                return NodeOptions.origin(maps, key, nodeOptions, refused -> { }).mapsLimits.limits(); // told below
            } catch (RuntimeException e) {
                // reported with the other options below
            }
        }
        return MapsLimits.defaults();
    }

    private void checkMaps(PrintWriter out, List<String> problems, MapsLimits limits) {
        try {
            MapSet m = MapsFolder.load(maps, maxMapFileSize.bytes(), limits);
            out.println(maps + ": OK (" + count(m.networkMaps().size(), "network map") + ", "
                    + count(m.costMaps().size(), "cost map") + ", "
                    + count(m.endpointProperties().size(), "endpoint property map") + "; default "
                    + m.defaultNetworkMap() + ")");
            // the defaults are shares of this JVM's heap, not the origin's: say what was checked
            out.println(maps + ": within --max-maps-documents " + limits.maxDocuments() + ", --max-maps-total-size "
                    + size(limits.maxTotalBytes()) + ", --max-network-map-size "
                    + size(limits.maxTreeBytes()) + (nodeOptions.isEmpty()
                    ? " (defaults for this check's heap; give the origin's options after --maps and --key to check"
                    + " against its own)" : ""));
        } catch (MapsFolder.MapsFolderException e) {
            problems.addAll(e.problems());
        } catch (IOException e) {
            problems.add(maps + ": cannot read: " + IoProblems.reason(e));
        }
    }

    /** {@code bytes} as an option would give it, or above 10 MB and not whole megabytes (a heap share) in megabytes to a tenth. */
    private static String size(long bytes) {
        long mb = 1L << 20;
        return bytes > 10 * mb && bytes % mb != 0
                ? String.format(java.util.Locale.ROOT, "%.1fMB", bytes / (double) mb) : ByteSize.ofBytes(bytes).toString();
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /**
     * The keys a proxy is configured to trust, by key id ({@code 2 trusted keys: ID1, ID2}): in a
     * key rotation, what tells an operator which proxies have been given the next key before the
     * old one is retired (a count alone did not; the ids are those the origin's keygen printed).
     */
    private static String trusted(List<Path> trust) {
        List<String> ids = trust.stream().map(p -> VerificationKey.readPem(p).keyId()).toList();
        return count(ids.size(), "trusted key") + ": " + String.join(", ", ids);
    }
}

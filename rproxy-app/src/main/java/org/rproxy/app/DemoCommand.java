package org.rproxy.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rproxy demo}: everything on one machine with nothing to prepare. Generates a key into a
 * temporary folder, copies the sample maps next to it (so they can be edited without touching the
 * checkout), starts a signing origin and prints what to try. Runs until interrupted.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a signing origin on the sample maps with a fresh key and print URLs to try.",
                "Runs until interrupted (Ctrl-C)."})
final class DemoCommand implements Callable<Integer> {

    /** The sample maps shipped in the jar (copied from conf/maps at build time). */
    static final List<String> SAMPLE_MAPS = List.of(
            "default-network-map.json", "routingcost-map.json", "hopcount-map.json", "endpoint-properties.json");

    @Option(names = "--port", defaultValue = "8181", paramLabel = "PORT",
            description = "Origin port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--dir", paramLabel = "DIR", description = "Work folder (default: a new temporary folder).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("rproxy-demo-");
        Path keys = Files.createDirectories(work.resolve("keys"));
        Path maps = Files.createDirectories(work.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Files.writeString(keys.resolve("origin.key"), key.toPkcs8Pem(), StandardCharsets.US_ASCII);
        Files.writeString(keys.resolve("origin.pub"), key.publicKey().toSpkiPem(), StandardCharsets.US_ASCII);
        copySampleMaps(maps);

        Origin origin = startOrigin(maps, keys.resolve("origin.key"));
        Runtime.getRuntime().addShutdownHook(new Thread(origin::close, "rproxy-demo-shutdown"));
        printGuide(System.out, work, origin, keys.resolve("origin.pub"));
        startPullProxy(System.out, origin, keys.resolve("origin.pub"));
        startPushProxy(System.out, origin, keys.resolve("origin.pub"), maps);
        System.out.println();
        System.out.println("Edit a file in " + maps + " and watch the new version reach both proxies.");
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        Thread.currentThread().join();
        return 0;
    }

    private Origin startOrigin(Path maps, Path key) throws Exception {
        // The origin streams its changes (RFC 8895) at /updates, for the push-mode proxy and any client.
        UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
        try {
            return Origin.start(config(maps, key, port), Clock.systemUTC(), stream);
        } catch (BindException e) {
            System.err.println("demo: port " + port + " is taken, using a free port instead");
            return Origin.start(config(maps, key, 0), Clock.systemUTC(), stream);
        }
    }

    private static OriginConfig config(Path maps, Path key, int port) {
        return new OriginConfig(FrontEndConfig.defaults("127.0.0.1", port), maps, key,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "rproxy-demo", null);
    }

    static void copySampleMaps(Path target) throws IOException {
        Path home = System.getenv("RPROXY_HOME") == null ? null : Path.of(System.getenv("RPROXY_HOME"), "conf", "maps");
        for (String name : SAMPLE_MAPS) {
            if (home != null && Files.isRegularFile(home.resolve(name))) {
                Files.copy(home.resolve(name), target.resolve(name));
                continue;
            }
            try (InputStream in = DemoCommand.class.getResourceAsStream("/demo-maps/" + name)) {
                if (in == null) {
                    throw new IOException("sample map " + name + " is missing from the jar");
                }
                Files.copy(in, target.resolve(name));
            }
        }
    }

    /**
     * Starts a pull-mode proxy in front of the origin (port 8282, or any free port) and prints how
     * to fetch through it; the proxy stops with the JVM.
     */
    static PullProxy startPullProxy(PrintStream out, Origin origin, Path pub) {
        UpstreamConfig up = UpstreamConfig.of(URI.create(origin.baseUri()), List.of(pub))
                .withPrefetch(List.of("/directory", "/capability"));
        ProxyConfig config = new ProxyConfig(ProxyConfig.Mode.PULL, "rproxy-demo",
                new ListenConfig(new Address("127.0.0.1", 8282), null), up, null, null,
                new AdminConfig(new Address("127.0.0.1", 0)));
        StreamingPull node;
        try {
            node = StreamingPull.start(config, StreamingPull.streamConfig(config), Clock.systemUTC());
        } catch (IllegalStateException e) {
            ProxyConfig any = config.withListen(new ListenConfig(new Address("127.0.0.1", 0), null));
            node = StreamingPull.start(any, StreamingPull.streamConfig(any), Clock.systemUTC());
        }
        StreamingPull started = node;
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "rproxy-demo-proxy-shutdown"));
        PullProxy proxy = node.pull();
        String p = proxy.baseUri();
        out.println("A pull-mode proxy serves the same signed documents: " + p
                + "   (metrics: http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics)");
        out.println("  curl -si " + p + "/networkmap/default-network-map     # note Via and Age");
        out.println("  bin/rproxy fetch " + p + "/directory --trust " + pub);
        out.println("  bin/rproxy fetch " + p + "/costmap/routingcost-map --trust " + pub + " --gzip");
        out.println("  bin/rproxy fetch " + p + "/prop/pid --trust " + pub);
        out.println();
        out.flush();
        return proxy;
    }

    /**
     * Starts a push-mode proxy subscribed to the origin's update stream (port 8383, or any free
     * port) and prints how to watch a change of the maps folder arrive; stops with the JVM.
     */
    static PushPullProxy startPushProxy(PrintStream out, Origin origin, Path pub, Path maps) {
        ProxyConfig config = new ProxyConfig(ProxyConfig.Mode.PUSH, "rproxy-demo-push",
                new ListenConfig(new Address("127.0.0.1", 8383), null),
                UpstreamConfig.of(URI.create(origin.baseUri()), List.of(pub)), null, null, null);
        PushPullProxy proxy;
        try {
            proxy = PushMode.start(config, 0);
        } catch (IllegalStateException e) {
            proxy = PushMode.start(config.withListen(new ListenConfig(new Address("127.0.0.1", 0), null)), 0);
        }
        PushPullProxy started = proxy;
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "rproxy-demo-push-shutdown"));
        String p = proxy.baseUri();
        out.println("A push-mode proxy follows the origin's update stream and serves the same documents: " + p);
        out.println("  curl -sN -X POST -H 'Content-Type: application/alto-updatestreamparams+json' \\");
        out.println("       -d '{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}}}' " + p + "/updates");
        out.println("  # then change a cost in " + maps.resolve("routingcost-map.json") + ":");
        out.println("  # the stream shows a merge patch and its signature at once, and both proxies serve it:");
        out.println("  bin/rproxy fetch " + p + "/costmap/routingcost-map --trust " + pub);
        out.println();
        out.flush();
        return proxy;
    }

    private static void printGuide(PrintStream out, Path work, Origin origin, Path pub) {
        String o = origin.baseUri();
        out.println();
        out.println("rproxy demo is running. Work folder: " + work);
        out.println("  origin (signing, key " + origin.keyId() + "): " + o);
        out.println("  maps folder: " + work.resolve("maps") + "    public key: " + pub);
        out.println();
        out.println("Try (in another terminal):");
        out.println("  curl -s " + o + "/directory");
        out.println("  curl -s " + o + "/capability");
        out.println("  curl -s " + o + "/prop/pid");
        out.println("  curl -s '" + o + "/cost/row?srcpid=PID1'");
        out.println("  curl -si " + o + "/networkmap/default-network-map");
        out.println("  curl -s -X POST -H 'Content-Type: application/alto-endpointpropparams+json' \\");
        out.println("       -d '{\"properties\":[\"default-network-map.pid\"],\"endpoints\":[\"ipv4:128.36.1.10\"]}' " + o + "/endpointprop");
        out.println("  bin/rproxy fetch " + o + "/prop/pid --trust " + pub);
        out.println("  bin/rproxy fetch " + o + "/directory --trust " + pub);
        out.println("  bin/rproxy fetch " + o + "/costmap/routingcost-map --trust " + pub);
        out.flush();
    }
}

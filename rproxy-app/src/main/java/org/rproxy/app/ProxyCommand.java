package org.rproxy.app;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.origin.Origin;
import org.rproxy.pull.PullProxy;
import org.rproxy.overlay.OverlayConfig;
import org.rproxy.overlay.OverlayPublisher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rproxy proxy}: an RProxy in front of an origin or another proxy. Settings come from
 * {@code --config FILE} (YAML, see {@code conf/pull.yaml}) and/or the options below; an option
 * given on the command line wins over the file, and fills in what the file leaves out (its
 * upstream and keys: {@link ProxyFile}). A bad file or option stops the command before it
 * listens, naming the key and the reason (exit 2).
 */
@Command(name = "proxy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run an RProxy: verify the origin's signed documents from an upstream, cache them, serve them.",
                "Pull mode fetches on a miss and keeps hot entries fresh; see conf/pull.yaml for every setting."})
final class ProxyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Null when not given: the file's mode, else pull (a given pull must win over a file's push). */
    @Option(names = "--mode", paramLabel = "MODE",
            description = "pull (default) or push (subscribe to the upstream's update stream; see conf/push.yaml).")
    String mode;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (e.g. conf/pull.yaml).")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = OptionConverters.AddressConverter.class,
            description = "Listen address (default 127.0.0.1:8282).")
    Address listen;

    @Option(names = "--upstream", paramLabel = "URL", description = {"The origin or proxy to pull from: "
            + "http(s)://host:port. Repeatable: several upstreams in order of preference; the first healthy one is used."})
    List<URI> upstream = new ArrayList<>();

    @Option(names = "--trust", paramLabel = "PUBFILE", description = "Origin public key (SPKI PEM). Repeatable.")
    List<Path> trust = new ArrayList<>();

    @Mixin
    AccessLogSwitch accessLog;

    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = OptionConverters.AddressConverter.class,
            description = "Admin listener for /metrics, /healthz, /readyz (off by default; a bare PORT is loopback).")
    Address admin;

    @Option(names = "--max-bytes", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "Bytes of documents held at most, e.g. 256MB (default 256MB, at least 1MB); a body of 16 KB or more counts twice (its direct-memory copy or spool file).")
    ByteSize maxBytes;

    @Option(names = "--spool-dir", paramLabel = "DIR",
            description = "Where bodies of cache.spool-min-bytes (1MB) or more are kept as files and sent with sendfile (default: the temp dir).")
    Path spoolDir;

    @Option(names = "--no-spool", description = "Write every body from memory: no spool files, no sendfile.")
    boolean noSpool;

    @Option(names = "--name", paramLabel = "NAME", description = "This proxy's pseudonym in Via (default rproxy).")
    String name;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain: serve HTTPS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--upstream-ca", paramLabel = "FILE",
            description = "PEM CA certificate(s) for an https upstream (default: the JDK's trust store).")
    Path upstreamCa;

    @Option(names = "--queries", paramLabel = "WHERE",
            description = "local (default): answer queries from the verified maps held; upstream: forward every query.")
    String queries;

    @Option(names = "--max-endpoint-pairs", paramLabel = "N",
            description = "Most source x destination pairs one endpoint cost request may ask for (limits.max-endpoint-pairs;"
                    + " default 250000).")
    Long maxEndpointPairs;

    @Option(names = "--send-buffer", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "Send buffer of each client connection (listen.send-buffer; SO_SNDBUF, e.g. 256KB;"
                    + " default: the kernel's autotuning). Bounds the kernel memory a connection holds while a large map"
                    + " goes out, and its throughput to about twice SIZE per round trip.")
    ByteSize sendBuffer;

    @Option(names = "--prefetch", paramLabel = "TARGET",
            description = "Fetch this target at start and keep it fresh (e.g. /directory). Repeatable.")
    List<String> prefetch = new ArrayList<>();

    @Option(names = "--seed-bundles", paramLabel = "DIR",
            description = {"Pull mode: start holding the signed bundles (*.http, from `rproxy fetch -o`) in DIR,",
                    "each verified like an upstream response; served and revalidated like fetched copies."})
    Path seedBundles;

    @Option(names = "--overlay", paramLabel = "FILE",
            description = {"Also publish every verified document held into a P2P overlay (BitTorrent + mainline DHT,",
                    "BEP 44 pointers), as the YAML file says (e.g. conf/overlay.yaml). Any mode."})
    Path overlay;

    @Mixin
    ListenLimitOptions listenLimits;

    @Mixin
    StreamLimitOptions streamLimits;

    @Override
    @SuppressWarnings("try") // the shutdown hook closes them; try-with-resources covers a failed start
    public Integer call() throws Exception {
        NodeSignals.install(); // a SIGHUP from now on is answered with a warning, not a stop
        accessLog.apply();
        ProxyConfig c = ProxyFiles.startable(settings(), sources(), seedBundles);
        Listeners listeners = ProxyFiles.listeners(c, sources()); // a bind that fails after the probe names its setting
        OverlayConfig overlayConfig = OverlayFiles.load(overlay);
        OverlayFiles.probe(overlay, overlayConfig);
        ProxyFiles.warnings(c, sources(), overlay, overlayConfig)
                .forEach(w -> spec.commandLine().getErr().println("rproxy proxy: " + w));
        if (c.mode() == ProxyConfig.Mode.PUSH) {
            return PushMode.run(c, overlayConfig, listeners);
        }
        NodeShutdown shutdown = NodeShutdown.install(); // before the node listens: a stop from then on closes it
        try (OverlayPublisher publisher = overlayConfig == null ? null : OverlayPublisher.start(overlayConfig);
             StreamingPull node = listeners.binding(() -> StreamingPull.start(c, StreamingPull.streamConfig(c),
                     Clock.systemUTC()))) {
            PullProxy proxy = node.pull();
            if (publisher != null) {
                // each copy as the proxy's verifier verified it: published without verifying it again
                proxy.addVerifiedListener(publisher::offer);
                proxy.addGoneListener(publisher::gone); // retired upstream: no longer published
                publisher.bindTo(proxy.registry());
                System.out.println("publishing into the overlay with key " + publisher.publicKey());
            }
            if (seedBundles != null) {
                BundleSeeds.seed(proxy, seedBundles, System.out);
            }
            System.out.println("proxy (" + c.mode() + ") " + c.name() + " listening on " + proxy.baseUri()
                    + " in front of " + c.upstream().urls() + "; update streams at /updates"
                    + (proxy.adminAddress() == null ? "" : "; admin on http://" + Address.of(proxy.adminAddress())));
            shutdown.await(() -> {
                node.close();
                if (publisher != null) {
                    publisher.close();
                }
            });
        } finally {
            shutdown.startEnded();
        }
        return 0;
    }

    /** The file's settings (if any) with the command line's on top; every option refused is told ({@link ProxySettings}). */
    ProxyConfig settings() {
        return ProxySettings.of(this);
    }

    /** The settings the command line gave, by the key of the file they stand for. */
    ProxySources sources() {
        Map<String, String> more = new LinkedHashMap<>();
        given(more, mode != null, "mode", "--mode");
        given(more, name != null, "name", "--name");
        given(more, queries != null, "queries", "--queries");
        given(more, maxBytes != null, "cache.max-bytes", "--max-bytes");
        given(more, noSpool, "cache.spool", "--no-spool");
        given(more, maxEndpointPairs != null, "limits.max-endpoint-pairs", "--max-endpoint-pairs");
        given(more, streamLimits.maxSubscribers != null, "push.max-subscribers", "--max-subscribers");
        given(more, streamLimits.maxPendingBytes != null, "push.max-pending-bytes", "--max-pending-bytes");
        return ProxySources.of(config, upstream, trust, upstreamCa, prefetch, listen, listenLimits, sendBuffer, tlsCert,
                tlsKey, admin, spoolDir).and(more);
    }

    private static void given(Map<String, String> given, boolean yes, String key, String option) {
        if (yes) {
            given.put(key, option);
        }
    }
}

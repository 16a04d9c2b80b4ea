package org.rproxy.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.origin.UnsignedUpstreamMaps;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rproxy origin}: serves the documents of a maps folder, signed, in both dialects. */
@Command(name = "origin", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Serve the ALTO documents of a maps folder, signed with the origin key.",
                "Both dialects: RFC 7285 JSON (GET /directory) and the seed's XML (GET /capability)."})
final class OriginCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", defaultValue = "127.0.0.1:8181", paramLabel = "HOST:PORT",
            converter = OptionConverters.AddressConverter.class,
            description = "Listen address (default ${DEFAULT-VALUE}).")
    Address listen;

    @Option(names = "--maps", paramLabel = "DIR", description = "Folder of RFC 7285 JSON maps.")
    Path maps;

    @Option(names = "--sign-upstream", paramLabel = "URL",
            description = "Signing front: read the maps from the unsigned RFC 7285 server whose directory is at this URL"
                    + " (path included, e.g. http://alto-server:8080/directory) instead of --maps.")
    java.net.URI signUpstream;

    @Option(names = "--poll", defaultValue = "60s", paramLabel = "DURATION",
            description = "With --sign-upstream: how often to read the server again (default ${DEFAULT-VALUE}).")
    Duration poll;

    @Option(names = "--upstream-ca", paramLabel = "FILE", description = "With --sign-upstream: PEM CA for an https server.")
    Path upstreamCa;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = {"Origin private key (PKCS#8 PEM), or a "
            + "keys file listing the signing key and the keys published beside it (conf/origin-keys.yaml), read again "
            + "every --keys-poll: how the key is rotated."})
    Path key;

    @Option(names = "--keys-poll", defaultValue = "1s", paramLabel = "DURATION",
            description = "How often the --key file is read again; a change is taken once it stays the same for a"
                    + " poll (default ${DEFAULT-VALUE}, 100ms to 1h).")
    Duration keysPoll;

    @Option(names = "--validity", defaultValue = "1h", paramLabel = "DURATION",
            description = "Signature validity, expires - created (default ${DEFAULT-VALUE}); re-signed at half of it.")
    Duration validity;

    @Option(names = "--max-age", defaultValue = "60s", paramLabel = "DURATION",
            description = "Cache-Control max-age of signed documents (default ${DEFAULT-VALUE}).")
    Duration maxAge;

    @Option(names = "--proxy", paramLabel = "URL",
            description = "URL of a known RProxy to advertise, http(s)://host:port (repeatable).")
    List<String> proxies = new ArrayList<>();

    @Option(names = "--overlay-publisher", paramLabel = "HEX",
            description = "Ed25519 public key (64 hex digits) of an RProxy publishing into the P2P overlay "
                    + "(its log says it at start); named in the directory (repeatable).")
    List<String> overlayPublishers = new ArrayList<>();

    @Option(names = "--overlay-bootstrap", paramLabel = "HOST:PORT",
            description = "A DHT node of the P2P overlay for clients to join through (repeatable).")
    List<String> overlayBootstrap = new ArrayList<>();

    @Option(names = "--instance-name", defaultValue = "rproxy-origin", paramLabel = "NAME",
            description = "instance-name of the XML capability (default ${DEFAULT-VALUE}).")
    String instanceName;

    @Mixin
    AccessLogSwitch accessLog;

    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = OptionConverters.AddressConverter.class,
            description = "Admin listener for /metrics, /healthz, /readyz (default: off; keep it on loopback).")
    Address admin;

    @Option(names = "--public-uri", paramLabel = "URI",
            description = "URI clients reach this origin at (default: http(s)://HOST:PORT).")
    String publicUri;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain: serve HTTPS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--heartbeat", defaultValue = "10s", paramLabel = "DURATION",
            description = "Longest silence on an update stream before a heartbeat comment (default ${DEFAULT-VALUE}); "
                    + "push proxies below should use a read-timeout of about twice this.")
    Duration heartbeat;

    @Option(names = "--signature-events", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Send this project's signature events on update streams whose request does not say "
                    + "(default: on; push proxies always ask for them). --no-signature-events leaves them out.")
    boolean signatureEvents;

    @Option(names = "--max-endpoint-pairs", defaultValue = "250000", paramLabel = "N",
            description = "Most source x destination pairs one endpoint cost request may ask for; more is refused with"
                    + " E_INVALID_FIELD_VALUE on endpoints (default ${DEFAULT-VALUE}).")
    long maxEndpointPairs;

    @Option(names = "--delete-settle", defaultValue = "30s", paramLabel = "DURATION",
            converter = DurationConverter.AllowingZero.class,
            description = "With --maps: how long a deleted maps file must stay gone before its documents are taken off"
                    + " the air; a file copied back sooner changes nothing (default ${DEFAULT-VALUE}).")
    Duration deleteSettle;

    @Option(names = "--max-map-file-size", defaultValue = "128MB", paramLabel = "SIZE",
            converter = OptionConverters.SizeConverter.class,
            description = "The largest maps file read (with --maps) or document read from the unsigned server (with"
                    + " --sign-upstream); a larger one stops the origin at start, and later is refused with the last"
                    + " good version kept (default ${DEFAULT-VALUE}).")
    ByteSize maxMapFileSize;

    @Mixin
    MapsLimitOptions mapsLimits;

    @Mixin
    ListenLimitOptions listenLimits;

    @Mixin
    StreamLimitOptions streamLimits;

    @Override
    @SuppressWarnings("try") // the shutdown hook closes them; try-with-resources covers a failed start
    public Integer call() throws Exception {
        NodeSignals.install(); // a SIGHUP from now on is answered with a warning, not a stop
        accessLog.apply();
        Settings settings = settings();
        OriginOptions.keyModeWarnings(key).forEach(w -> spec.commandLine().getErr().println("rproxy origin: " + w));
        OriginOptions.tlsKeyWarning(tlsKey).ifPresent(w -> spec.commandLine().getErr().println("rproxy origin: " + w));
        ProxyFiles.heartbeatWarning("--heartbeat", heartbeat)
                .ifPresent(w -> spec.commandLine().getErr().println("rproxy origin: " + w));
        Listeners listeners = new Listeners().add("--listen", listen).add("--admin", admin);
        listeners.probe(); // nothing serves on a taken port
        OriginConfig config = settings.config();
        UpdateStreamConfig stream = settings.stream();
        if (signUpstream != null) {
            return signingFront(config, stream, listeners);
        }
        NodeShutdown shutdown = NodeShutdown.install(); // before the node listens: a stop from then on closes it
        try (UpdatePublisher publisher = new UpdatePublisher(stream);
             Origin origin = listeners.binding(() -> Origin.start(config, Clock.systemUTC(), publisher))) {
            announce(origin, listeners, "origin listening on " + origin.baseUri() + " (keyid " + origin.keyId() + ", "
                    + origin.resourceCount() + " signed documents from " + maps + ")");
            shutdown.await(() -> {
                origin.close();
                publisher.close();
            });
        } finally {
            shutdown.startEnded();
        }
        return 0;
    }

    /** What the origin's options and files say, each checked as the origin does before it starts. */
    record Settings(OriginConfig config, UpdateStreamConfig stream) {
    }

    /**
     * The settings of the options given, checked as at start ({@code rproxy check} runs this too);
     * nothing binds. Every option refused is told, not the first alone ({@link OptionProblems}).
     */
    Settings settings() {
        if ((maps == null) == (signUpstream == null)) {
            throw new IllegalArgumentException("give either --maps DIR or --sign-upstream URL");
        }
        OptionProblems problems = new OptionProblems();
        for (String p : proxies) {
            String problem = OriginOptions.proxyUrlProblem(p);
            if (problem != null) {
                problems.add(new IllegalArgumentException("--proxy: " + p + problem));
            }
        }
        FrontEndConfig limited = listenLimits.applyTo(FrontEndConfig.defaults(listen.host(), listen.port()), problems);
        streamLimits.check(problems);
        TlsConfig tls = problems.value(() -> OriginOptions.tls(tlsCert, tlsKey), null);
        FrontEndConfig frontEnd = tls == null ? limited
                : problems.value(() -> limited.withSslContext(OriginOptions.server(tls)), limited);
        if (maxEndpointPairs < 1) {
            problems.add(new IllegalArgumentException("--max-endpoint-pairs: " + maxEndpointPairs + " (expected: >= 1)"));
        }
        problems.check(() -> OriginOptions.checkTimes(validity, maxAge));
        problems.check(() -> OriginOptions.checkKeysPoll(keysPoll));
        problems.check(() -> OriginOptions.checkPublicUri(publicUri));
        problems.check(() -> OriginOptions.checkListeners(listen, admin));
        problems.check(() -> OriginOptions.checkKeyModes(key));
        OverlayInfo overlay = problems.value(() -> OriginOptions.overlay(overlayPublishers, overlayBootstrap), null);
        problems.throwIfAny();
        OriginConfig config = new OriginConfig(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri,
                deleteSettle, new QueryLimits(maxEndpointPairs), maxMapFileSize.bytes(), overlay)
                .withMapsLimits(mapsLimits.limits()).withKeysPoll(keysPoll);
        // The update stream (RFC 8895) at /updates, for push-mode proxies and RFC 8895 clients.
        UpdateStreamConfig stream = UpdateStreamConfig.defaults().withHeartbeat(heartbeat)
                .withMaxSubscribers(streamLimits.maxSubscribers).withSignatureEvents(signatureEvents)
                .withMaxPendingBytes(streamLimits.maxPendingBytes != null ? streamLimits.maxPendingBytes.bytes() : null)
                .withBase(tls != null, publicUri);
        return new Settings(config, stream);
    }

    /**
     * Starts the admin listener when --admin asks for one, then says where the origin listens and
     * where the admin listener does: a start that fails (the admin port taken) prints no line
     * saying the origin listens.
     */
    private void announce(Origin origin, Listeners listeners, String listening) {
        InetSocketAddress bound = admin == null ? null : listeners.binding(() -> origin.startAdmin(admin));
        PrintWriter out = spec.commandLine().getOut();
        out.println(listening);
        if (bound != null) {
            out.println("admin on http://" + new Address(admin.host(), bound.getPort()) + "/metrics");
        }
        out.flush();
    }

    /**
     * Serves an unsigned RFC 7285 server's maps, signed, reading them again every --poll; each
     * change it signs goes out on its update stream too.
     */
    @SuppressWarnings("try") // the shutdown hook closes them; try-with-resources covers a failed start
    private int signingFront(OriginConfig config, UpdateStreamConfig stream, Listeners listeners) throws Exception {
        NodeShutdown shutdown = NodeShutdown.install();
        try (UnsignedUpstreamMaps source = UnsignedUpstreamMaps.connect(signUpstream, upstreamCa,
                Duration.ofSeconds(30), maxMapFileSize.bytes(), config.mapsLimits());
             UpdatePublisher publisher = new UpdatePublisher(stream);
             Origin origin = listeners.binding(() -> startFront(config, source, publisher))) {
            announce(origin, listeners, "signing front listening on " + origin.baseUri() + " (keyid " + origin.keyId() + ", "
                    + origin.resourceCount() + " signed documents from " + signUpstream + ", read every "
                    + org.rproxy.core.config.Durations.format(poll) + ")");
            shutdown.await(() -> {
                origin.close();
                publisher.close();
                source.close();
            });
        } finally {
            shutdown.startEnded();
        }
        return 0;
    }

    /**
     * Starts the signing front. Its first read of the unsigned server failing (the server not up
     * yet, as at boot; answering 503 while it starts; a snapshot caught while it changed) is the
     * machine's state at that moment, not the options: {@link NotNow}, exit status 1, so that a
     * unit starts the front again, as it would a listen port still held. The {@link IOException}s
     * of {@code Origin.start} with a map source are that read's: the key and the listeners fail
     * otherwise. What starting again cannot change (the URL, the key) stays exit status 2.
     */
    private Origin startFront(OriginConfig config, UnsignedUpstreamMaps source, UpdatePublisher publisher) {
        try {
            return Origin.start(config, source, poll, Clock.systemUTC(), publisher);
        } catch (IOException e) {
            throw new NotNow(String.valueOf(e.getMessage()), e);
        }
    }
}

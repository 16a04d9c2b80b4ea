package org.rproxy.harness;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A signing origin with its update stream, on the sample maps with a fresh Ed25519 key and a 2 s
 * max-age (so that the proxy revalidates soon after a change), listing one RProxy: a streaming
 * pull proxy behind a {@link Relay}, which the origin can name before the proxy starts (the proxy
 * needs the origin's URL, the origin the proxy's). What the client library's end-to-end tests start
 * from; {@link #close()} stops it all, last started first.
 */
final class OriginWithProxy implements AutoCloseable {
    final Path maps;
    final Origin origin;
    final StreamingPull proxy;
    /** The proxy's address as the origin lists it. */
    final Relay relay;
    private final UpdatePublisher publisher;

    private OriginWithProxy(Path maps, Origin origin, UpdatePublisher publisher, StreamingPull proxy, Relay relay) {
        this.maps = maps;
        this.origin = origin;
        this.publisher = publisher;
        this.proxy = proxy;
        this.relay = relay;
    }

    /** Starts it all in {@code dir}, waiting up to {@code wait} for the proxy to be ready. */
    static OriginWithProxy start(Path dir, String proxyName, Duration wait) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
            Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
            Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
            Relay relay = add(started, new Relay());
            UpdatePublisher publisher = add(started, new UpdatePublisher(UpdateStreamConfig.defaults()));
            Origin origin = add(started, Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps,
                    priv, Duration.ofHours(1), Duration.ofSeconds(2), List.of(relay.base()), "client-it-origin", null),
                    Clock.systemUTC(), publisher));
            ProxyConfig pc = Proxies.config(proxyName, origin.baseUri(), pub);
            StreamingPull proxy = add(started, StreamingPull.start(pc, StreamingPull.streamConfig(pc), Clock.systemUTC()));
            PushTree.await(wait, "pull proxy ready", () -> proxy.pull().notReadyBecause() == null);
            relay.target(URI.create(proxy.pull().baseUri()).getPort());
            return new OriginWithProxy(maps, origin, publisher, proxy, relay);
        } catch (Exception | Error e) {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> started, T resource) {
        started.add(0, resource);
        return resource;
    }

    /** Stops the proxy, the origin, its stream and the relay (closing twice is harmless). */
    @Override
    public void close() throws IOException {
        try {
            proxy.close();
        } finally {
            try {
                origin.close();
            } finally {
                try {
                    publisher.close();
                } finally {
                    relay.close();
                }
            }
        }
    }
}

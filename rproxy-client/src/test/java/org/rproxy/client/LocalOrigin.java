package org.rproxy.client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A real signing origin on an ephemeral loopback port for the client's tests: a small maps folder
 * in which 127.0.0.2 is in PID1 and 127.0.0.3 in PID2 (so proxies on those loopback addresses
 * have known costs), a fresh Ed25519 key (or one for the algorithm named), and the RProxy URLs it is told to list; with no update
 * stream ({@link #start}, its {@code /updates} answers 404) or with one ({@link #startStreaming}).
 */
final class LocalOrigin implements AutoCloseable {
    static final String NETWORK_MAP = "/networkmap/default-network-map";
    static final String COST_MAP = "/costmap/routingcost-map";

    final Origin origin;
    final Path maps;
    final Path publicKey;
    private final UpdatePublisher stream;

    private LocalOrigin(Origin origin, Path maps, Path publicKey, UpdatePublisher stream) {
        this.origin = origin;
        this.maps = maps;
        this.publicKey = publicKey;
        this.stream = stream;
    }

    static LocalOrigin start(Path dir, List<String> proxies) throws IOException {
        return start(dir, proxies, null, Duration.ofHours(1), SignatureAlgorithm.ED25519);
    }

    /** As {@link #start}, with a real update stream publisher (RFC 8895) mounted at {@code /updates}. */
    static LocalOrigin startStreaming(Path dir, List<String> proxies) throws IOException {
        return startStreaming(dir, proxies, SignatureAlgorithm.ED25519);
    }

    /** As {@link #startStreaming(Path, List)}, signing with a fresh key for {@code algorithm}. */
    static LocalOrigin startStreaming(Path dir, List<String> proxies, SignatureAlgorithm algorithm) throws IOException {
        UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
        try {
            return start(dir, proxies, stream, Duration.ofHours(1), algorithm);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * As {@link #startStreaming(Path, List)}, signing for {@code validity} (at least 10 s): it
     * signs every document again at half of it, and streams each new signature; its streams send
     * a heartbeat after 0.5 s of silence, so that a client may take one silent for 2 s for dead.
     */
    static LocalOrigin startStreaming(Path dir, List<String> proxies, Duration validity) throws IOException {
        return startStreaming(dir, proxies, validity, Clock.systemUTC());
    }

    /**
     * As {@link #startStreaming(Path, List, Duration)}, signing at the times of {@code clock} (a
     * test's clock shared with its client, so that a test moves the client past a map's due point
     * without waiting for it); its re-signing timer still runs in real time, at half the validity.
     */
    static LocalOrigin startStreaming(Path dir, List<String> proxies, Duration validity, Clock clock)
            throws IOException {
        UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults().withHeartbeat(Duration.ofMillis(500)));
        try {
            return start(dir, proxies, stream, validity, SignatureAlgorithm.ED25519, clock);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private static LocalOrigin start(Path dir, List<String> proxies, UpdatePublisher stream, Duration validity,
                                     SignatureAlgorithm algorithm) throws IOException {
        return start(dir, proxies, stream, validity, algorithm, Clock.systemUTC());
    }

    private static LocalOrigin start(Path dir, List<String> proxies, UpdatePublisher stream, Duration validity,
                                     SignatureAlgorithm algorithm, Clock clock) throws IOException {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("default-network-map.json"), networkMap("128.36.1.0/24"));
        writeCosts(maps, 5);
        SigningKey key = SigningKey.generate(algorithm, new SecureRandom());
        Path priv = dir.resolve("origin.key");
        Path pub = dir.resolve("origin.pub");
        Files.writeString(priv, key.toPkcs8Pem());
        Files.writeString(pub, key.publicKey().toSpkiPem());
        Duration maxAge = validity.compareTo(Duration.ofMinutes(4)) < 0 ? validity.dividedBy(4) : Duration.ofSeconds(60);
        Origin o = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                validity, maxAge, proxies, "client-test-origin", null),
                clock, stream);
        return new LocalOrigin(o, maps, pub, stream);
    }

    static String networkMap(String pid1Prefix) {
        return "{\"meta\":{\"vtag\":{\"resource-id\":\"default-network-map\"}},\"network-map\":{"
                + "\"PID1\":{\"ipv4\":[\"" + pid1Prefix + "\",\"127.0.0.2/32\"]},"
                + "\"PID2\":{\"ipv4\":[\"130.132.3.0/24\",\"127.0.0.3/32\"]},"
                + "\"PID3\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    }

    /** Rewrites the routing cost map with {@code pid1ToPid2} as the PID1 → PID2 cost (an edit of the maps folder). */
    static void writeCosts(Path maps, int pid1ToPid2) throws IOException {
        Path tmp = maps.resolve("routingcost-map.json.tmp");
        Files.writeString(tmp, "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},\"cost-map\":{"
                + "\"PID1\":{\"PID2\":" + pid1ToPid2 + ",\"PID3\":10},\"PID2\":{\"PID1\":5,\"PID3\":15},"
                + "\"PID3\":{\"PID1\":20,\"PID2\":15}}}");
        Files.move(tmp, maps.resolve("routingcost-map.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Edits the cost map until {@code client} fetches a version signed in a later second than
     * {@code older}, and returns it.
     */
    VerifiedDocument newerVersion(AltoClient client, VerifiedDocument older) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int cost = 6;
        writeCosts(maps, cost);
        while (System.nanoTime() < end) {
            VerifiedDocument d = client.fetch(COST_MAP);
            if (d.created().isAfter(older.created())) {
                return d;
            }
            if (d.representation().identity().body().asUtf8().contains("\"PID2\":" + cost + ",")) {
                // The edit was signed within the same second as the older version: edit again.
                writeCosts(maps, ++cost);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("the origin served no newer version within 30 s");
    }

    URI uri() {
        return URI.create(origin.baseUri());
    }

    String keyId() {
        return origin.keyId();
    }

    /** The update streams open at this origin now (0 without a publisher). */
    long openStreams() {
        return stream == null ? 0 : stream.stats().subscribers();
    }

    @Override
    public void close() {
        origin.close();
        if (stream != null) {
            stream.close();
        }
    }
}

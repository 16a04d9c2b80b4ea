package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.PushProxy;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A tree for push tests on loopback: a file origin with an update stream mounted (short
 * heartbeat, so dead channels are found in well under a second), and push proxies below it or
 * below each other. Also the checks every push test makes: fetch, verify with the product's
 * verifier and the independent one, and wait for a condition with a deadline.
 */
final class PushTree implements AutoCloseable {

    static final Duration HEARTBEAT = Duration.ofMillis(500);
    /**
     * The read timeout of {@link #proxy(String)}'s proxies: twenty heartbeats, a silence no
     * scheduling delay of a loaded build machine reaches. At two heartbeats (1 s), a feed thread or
     * event loop held off the CPU for a second under load ended healthy streams, and tests counting
     * subscriptions or waiting for a change on the stream failed. A test about a silent stream sets
     * a short timeout on its own proxy ({@code PushChannelLossIT}, {@code PushReadTimeoutIT}).
     */
    static final Duration STEADY_READ_TIMEOUT = HEARTBEAT.multipliedBy(20);
    static final String COST_MAP = "/costmap/routingcost-map";
    /** How long a deleted map file must stay gone before the origin retires it (30 s in service). */
    static final Duration DELETE_SETTLE = Duration.ofMillis(300);

    final Path maps;
    final Path privateKey;
    final Path publicKey;
    final ResponseVerifier verifier;
    final IndependentVerifier independent;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> proxies = new ArrayList<>();
    private Origin origin;
    private UpdatePublisher stream;
    private UpdateStreamConfig originStreamConfig = streamConfig();
    private int originSendBuffer;
    private int port;

    private PushTree(Path maps, Path privateKey, Path publicKey) throws Exception {
        this.maps = maps;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.verifier = new ResponseVerifier(List.of(VerificationKey.readPem(publicKey)), Clock.systemUTC());
        this.independent = new IndependentVerifier(publicKey);
    }

    /** An origin on the sample maps plus {@code extraMaps} (file name, JSON pairs). */
    static PushTree start(Path dir, String... extraMaps) throws Exception {
        return start(dir, streamConfig(), 0, extraMaps);
    }

    /**
     * As {@link #start(Path, String...)}, the origin's update stream on {@code originStream} and
     * its connections' send buffers at {@code sendBuffer} bytes (0: the kernel's autotuning).
     */
    static PushTree start(Path dir, UpdateStreamConfig originStream, int sendBuffer, String... extraMaps)
            throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        for (int i = 0; i + 1 < extraMaps.length; i += 2) {
            Files.writeString(maps.resolve(extraMaps[i]), extraMaps[i + 1]);
        }
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = dir.resolve("origin.key");
        Path pub = dir.resolve("origin.pub");
        PrivateKeyFiles.write(priv, key.toPkcs8Pem());
        Files.writeString(pub, key.publicKey().toSpkiPem());
        PushTree tree = new PushTree(maps, priv, pub);
        tree.originStreamConfig = originStream;
        tree.originSendBuffer = sendBuffer;
        tree.startOrigin(0);
        return tree;
    }

    static UpdateStreamConfig streamConfig() {
        return UpdateStreamConfig.defaults().withHeartbeat(HEARTBEAT).withStallTimeout(Duration.ofSeconds(2));
    }

    private void startOrigin(int p) throws Exception {
        stream = new UpdatePublisher(originStreamConfig);
        FrontEndConfig frontEnd = FrontEndConfig.defaults("127.0.0.1", p);
        frontEnd = originSendBuffer > 0 ? frontEnd.withSendBufferBytes(originSendBuffer) : frontEnd;
        origin = Origin.start(new OriginConfig(frontEnd, maps, privateKey,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "push-it", null).withDeleteSettle(DELETE_SETTLE),
                Clock.systemUTC(), stream);
        port = origin.address().getPort();
    }

    /** Stops the origin, runs {@code whileDown}, and starts it again on the same port. */
    void restartOrigin(ThrowingRunnable whileDown) throws Exception {
        origin.close();
        stream.close();
        whileDown.run();
        startOrigin(port);
    }

    String originBase() {
        return origin.baseUri();
    }

    UpdatePublisher originStream() {
        return stream;
    }

    int originPort() {
        return port;
    }

    /**
     * A push proxy on an ephemeral port subscribed to {@code upstream}, with the
     * {@link #STEADY_READ_TIMEOUT} (a lost connection is found by its close, not by silence).
     */
    PushProxy proxy(String upstream) {
        return proxy(upstream, STEADY_READ_TIMEOUT);
    }

    /** A push proxy on an ephemeral port subscribed to {@code upstream}, finding silence after {@code readTimeout}. */
    PushProxy proxy(String upstream, Duration readTimeout) {
        return proxy(PushFeedConfig.of(URI.create(upstream)).withReadTimeout(readTimeout)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400)));
    }

    /** A push proxy on an ephemeral port with {@code feed}'s upstreams and timings. */
    PushProxy proxy(PushFeedConfig feed) {
        PushProxy p = PushProxy.start(FrontEndConfig.defaults("127.0.0.1", 0), feed, verifier, streamConfig());
        proxies.add(p);
        return p;
    }

    HttpResponse<byte[]> get(String base, String path) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError("GET " + base + path + ": " + e, e);
        }
    }

    /** The body at {@code base + path}, after checking it verifies (both verifiers). */
    String verifiedBody(String base, String path) {
        HttpResponse<byte[]> resp = get(base, path);
        assertEquals(200, resp.statusCode(), path + ": " + new String(resp.body(), StandardCharsets.UTF_8));
        Verdict v = verifier.verify(n -> resp.headers().firstValue(n).orElse(null), resp.body(), Expectation.path(path));
        assertTrue(v.valid(), path + " at " + base + ": " + v);
        try {
            assertNull(independent.check(n -> resp.headers().firstValue(n).orElse(null), resp.body()), path);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return new String(resp.body(), StandardCharsets.UTF_8);
    }

    /** The body at {@code base + path} when it is served (200), else null. */
    String bodyOrNull(String base, String path) {
        HttpResponse<byte[]> resp = get(base, path);
        return resp.statusCode() == 200 ? new String(resp.body(), StandardCharsets.UTF_8) : null;
    }

    /** Replaces {@code routingcost-map.json} with PID1→PID2 costing {@code cost}. */
    void writeRoutingCost(int cost) throws IOException {
        writeRoutingCost(maps, cost);
    }

    /**
     * Rewrites the sample routing-cost map in {@code maps} with PID1 -> PID2 = {@code cost}, in one
     * atomic move, as an operator's deploy would: the origin's watcher sees the whole file or none.
     */
    static void writeRoutingCost(Path maps, int cost) throws IOException {
        Path tmp = maps.resolveSibling("routingcost.tmp");
        Files.writeString(tmp, "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":" + cost + ",\"PID3\":10},\"PID2\":{\"PID1\":5,\"PID3\":15},"
                + "\"PID3\":{\"PID1\":20,\"PID2\":15}}}");
        Files.move(tmp, maps.resolve("routingcost-map.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits until {@code condition} holds, failing after {@code max}; returns the time it took. */
    static Duration await(Duration max, String what, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + max);
            }
            LockSupport.parkNanos(5_000_000);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Override
    public void close() {
        for (AutoCloseable p : proxies) {
            try {
                p.close();
            } catch (Exception e) {
                // best effort
            }
        }
        origin.close();
        stream.close();
    }
}

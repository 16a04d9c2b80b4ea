package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.harness.load.PrometheusPage;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/**
 * A real origin with a low bound on the bytes of copied answers pending ({@code
 * maxPendingSendBytes}), a 1 s stall timeout, 64 KB send buffers and large network maps, and the
 * check that clients which ask and never read hold no more direct memory than that bound plus the
 * allocator's slack: what {@link CopiedAnswersBoundIT} (HTTP/1.1) and {@link Http2AnswersBoundIT}
 * (HTTP/2) prove of their protocol.
 *
 * @param origin    the running origin (the test closes it)
 * @param publicKey its public key file
 */
record SlowReaderOrigin(Origin origin, Path publicKey) {

    /** The bound the origin is given: less than the non-readers would take with a part or two each, so some must wait. */
    static final long BUDGET = 1L << 20;
    /** What the allocator holds beyond the bytes in use (its chunks, per event loop), as {@code PendingBytesBoundIT} found. */
    static final long ALLOCATOR_SLACK = 12L << 20;
    static final String BIG = "/networkmap/big-network-map";

    /**
     * Starts an origin on {@code frontEnd} in {@code dir} with the sample maps and, for each name, a
     * network map of that many PIDs ({@code big-network-map}: 30,000, about 1.2 MB).
     */
    static SlowReaderOrigin start(Path dir, FrontEndConfig frontEnd, Map<String, Integer> bigMaps) throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        for (Map.Entry<String, Integer> m : bigMaps.entrySet()) {
            Files.writeString(maps.resolve(m.getKey() + ".json"), OriginEndToEndIT.bigNetworkMap(m.getValue()));
        }
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        FrontEndConfig fe = frontEnd.withMaxPendingSendBytes(BUDGET).withIdleTimeout(Duration.ofSeconds(1))
                .withSendBufferBytes(64 * 1024);
        return new SlowReaderOrigin(Origin.start(new OriginConfig(fe, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60),
                List.of(), "bounded", null)), pub);
    }

    /**
     * Opens {@code count} non-readers with {@code open} (each asks and reads nothing; added to
     * {@code opened}, which the test closes), and checks the bound while they hold it: answers past
     * it wait (counted), direct memory stays within it plus the slack, a small document is served
     * meanwhile; then {@code beforeDrain} (what the test does to let the bound drain) and the bound
     * is all given back, the peak within it all along.
     */
    <C extends AutoCloseable> void boundHolds(HttpClient client, int count, Callable<C> open, List<C> opened,
                                              Consumer<List<C>> beforeDrain) throws Exception {
        String metrics = "http://127.0.0.1:" + origin.startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
        assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + BIG)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        long before = directUsed();
        AtomicLong peak = new AtomicLong(before);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(directUsed(), Math::max);
                LockSupport.parkNanos(1_000_000);
            }
        }, "direct-memory-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            for (int i = 0; i < count; i++) {
                opened.add(open.call());
            }
            long bound = BUDGET + ALLOCATOR_SLACK;
            PushTree.await(Duration.ofSeconds(20), "answers wait for the bound, or direct memory passes it (held "
                    + (directUsed() - before) + ")",
                    () -> meter(metrics, "rproxy_answers_deferred_total") > 0 || peak.get() - before > bound);
            long held = directUsed() - before;
            assertTrue(held <= bound, "direct memory held by " + count + " clients that never read: " + held
                    + " (expected: at most " + bound + ")");
            double pending = meter(metrics, "rproxy_answers_pending_bytes");
            assertTrue(pending > 0 && pending <= BUDGET + 2 * 64 * 1024, "pending: " + pending);
            assertEquals((double) BUDGET, meter(metrics, "rproxy_answers_pending_max_bytes"));
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(origin.baseUri()
                    + "/networkmap/default-network-map")).build(), HttpResponse.BodyHandlers.discarding()).statusCode(),
                    "a small document is served meanwhile");
            beforeDrain.accept(opened);
            PushTree.await(Duration.ofSeconds(90), "the bound given back",
                    () -> meter(metrics, "rproxy_answers_pending_bytes") == 0);
            sampling.set(false);
            sampler.join();
            assertTrue(peak.get() - before <= bound, "direct memory at most: " + (peak.get() - before)
                    + " (expected: at most " + bound + ")");
        } finally {
            sampling.set(false);
        }
    }

    /** The direct memory Netty's allocator has handed out. */
    static long directUsed() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    /** One series of a node's {@code /metrics} page, -1 when it has none. */
    static double meter(String metrics, String series) {
        try {
            return PrometheusPage.sample(new String(Proxies.get(metrics).body(), StandardCharsets.UTF_8), series)
                    .orElse(-1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

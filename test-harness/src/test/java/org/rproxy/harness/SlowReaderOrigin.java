package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
 * maxPendingSendBytes}), a short stall timeout (1 s unless given), 64 KB send buffers and large
 * network maps, and the check that clients which ask and never read hold no more direct memory than that bound plus the
 * allocator's slack: what {@link CopiedAnswersBoundIT} (HTTP/1.1) and {@link Http2AnswersBoundIT}
 * (HTTP/2) prove of their protocol. It holds what the test opens towards it: {@link #close}
 * closes those clients, then the origin.
 */
final class SlowReaderOrigin implements Closeable {

    /** The bound the origin is given: less than the non-readers would take with a part or two each, so some must wait. */
    static final long BUDGET = 1L << 20;
    /** What the allocator holds beyond the bytes in use (its chunks, per event loop), as {@code PendingBytesBoundIT} found. */
    static final long ALLOCATOR_SLACK = 12L << 20;
    static final String BIG = "/networkmap/big-network-map";
    /**
     * The non-readers left open once the bound is checked, the last ones opened, waiting for it:
     * the others leave, which hands the bound on to these, and the stall timeout cuts each off
     * once it has its turn and takes nothing (a few seconds per bound's worth, the close over TLS
     * waiting for its close_notify besides); the rest would only repeat those turns.
     */
    static final int STALLED = 10;

    private final Origin origin;
    private final Path publicKey;
    private final List<Closeable> opened = new ArrayList<>();

    private SlowReaderOrigin(Origin origin, Path publicKey) {
        this.origin = origin;
        this.publicKey = publicKey;
    }

    /**
     * Starts an origin on {@code frontEnd} in {@code dir} with the sample maps and, for each name, a
     * network map of that many PIDs ({@code big-network-map}: 30,000, about 1.2 MB).
     */
    static SlowReaderOrigin start(Path dir, FrontEndConfig frontEnd, Map<String, Integer> bigMaps) throws Exception {
        return start(dir, frontEnd, bigMaps, Duration.ofSeconds(1));
    }

    /**
     * As {@link #start(Path, FrontEndConfig, Map)}, with {@code stallTimeout} as the origin's idle
     * timeout, which is also its stall timeout and caps its first-byte timeout: a client whose
     * connection, handshake and first request take longer is closed before it asks (a write of its
     * then fails with "Broken pipe").
     */
    static SlowReaderOrigin start(Path dir, FrontEndConfig frontEnd, Map<String, Integer> bigMaps, Duration stallTimeout)
            throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        for (Map.Entry<String, Integer> m : bigMaps.entrySet()) {
            Files.writeString(maps.resolve(m.getKey() + ".json"), OriginEndToEndIT.bigNetworkMap(m.getValue()));
        }
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        FrontEndConfig fe = frontEnd.withMaxPendingSendBytes(BUDGET).withIdleTimeout(stallTimeout)
                .withSendBufferBytes(64 * 1024);
        return new SlowReaderOrigin(Origin.start(new OriginConfig(fe, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60),
                List.of(), "bounded", null)), pub);
    }

    /** The running origin. */
    Origin origin() {
        return origin;
    }

    /** Its public key file. */
    Path publicKey() {
        return publicKey;
    }

    /** Where it listens. */
    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", origin.address().getPort());
    }

    /** Keeps {@code client}, opened towards the origin, for {@link #close} to close. */
    <C extends Closeable> C hold(C client) {
        opened.add(client);
        return client;
    }

    /**
     * Opens {@code count} non-readers with {@code open} (each asks and reads nothing; held for
     * {@link #close}), and checks the bound while they hold it: answers past it wait (counted),
     * direct memory stays within it plus the slack, a small document is served meanwhile; then all
     * but the last {@link #STALLED} leave, and the bound is all given back (those that left give
     * theirs back as they close, the stalled ones once the stall timeout has cut them off), the
     * peak within it all along.
     */
    void boundHolds(HttpClient client, int count, Callable<? extends Closeable> open) throws Exception {
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
            List<Closeable> nonReaders = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                nonReaders.add(hold(open.call()));
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
            for (Closeable leaving : nonReaders.subList(0, Math.max(0, count - STALLED))) {
                leaving.close();
            }
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

    /** Closes the clients opened towards the origin, then the origin. */
    @Override
    public void close() throws IOException {
        for (Closeable c : opened) {
            c.close();
        }
        origin.close();
    }

    /** The heap in use just after a full collection was asked for: what is held, not what waits to be collected. */
    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
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

package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.SSLContext;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;
import org.rproxy.harness.load.PrometheusPage;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/**
 * {@link CopiedAnswersBoundIT} over HTTP/2: many clients that open their flow-control windows
 * wide, ask for a large map and never read. Each answer used to be written whole to its stream,
 * and the flow controller pushed it into the connection as fast as the socket took it: over TLS
 * each connection then held its outbound buffer's worth of encrypted copies (about 72 KB each for
 * this 1.2 MB map), and for a computed answer (on the heap) its worth of direct copies, none of it
 * counted, so enough such clients exhausted the direct memory. Now such answers go out in parts
 * under the same node-wide bound ({@code maxPendingSendBytes}): what the clients hold stays within
 * it plus the allocator's slack, answers past it wait (counted), a small answer is served
 * meanwhile, those that stall are reset by the stall timeout so that those waiting get their
 * turn, and the bound is all given back. A held document on a cleartext connection is written
 * from its shared copy and counts nothing.
 */
class Http2AnswersBoundIT {

    /** Enough that what they held uncounted over TLS (about 72 KB each) passes the allocator's slack. */
    private static final int NON_READERS = 300;
    /** Likewise for a computed answer on cleartext connections, which held about 47 KB each. */
    private static final int CLEARTEXT_NON_READERS = 600;
    /** The non-readers left open once the bound is checked, for the stall timeout to cut off: it takes a few seconds per bound's worth. */
    private static final int STALLED = 10;
    private static final long BUDGET = 1L << 20;
    private static final String BIG = "/networkmap/big-network-map";
    /**
     * A map whose filtered answer (about 400 KB) fills a non-reader's socket buffers and its
     * connection's outbound buffer, while {@link #CLEARTEXT_NON_READERS} of them on the heap are no burden.
     */
    private static final String MID = "/networkmap/mid-network-map";
    /** What the allocator holds beyond the bytes in use (its chunks, per event loop), as {@code PendingBytesBoundIT} found. */
    private static final long ALLOCATOR_SLACK = 12L << 20;

    @TempDir
    Path dir;
    private Origin origin;
    private final List<NonReadingH2Client> nonReaders = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (NonReadingH2Client c : nonReaders) {
            c.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static long directUsed() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    @Test
    void clientsThatNeverReadALargeMapOverTlsHoldNoMoreThanTheBound() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "origin-tls");
        Path pub = start(FrontEndConfig.defaults("127.0.0.1", 0)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))));
        SSLContext trusting = cert.trustingContext();
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
        boundHolds(client, NON_READERS, () -> {
            NonReadingH2Client c = new NonReadingH2Client(address(), trusting);
            c.get(BIG);
            return c;
        });
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + BIG)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertTrue(new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC())
                .verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(BIG, null)).valid());
    }

    @Test
    void clientsThatNeverReadALargeComputedAnswerHoldNoMoreThanTheBound() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0));
        byte[] filter = "{\"pids\":[]}".getBytes(StandardCharsets.US_ASCII);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        boundHolds(client, CLEARTEXT_NON_READERS, () -> {
            NonReadingH2Client c = new NonReadingH2Client(address(), null);
            c.post(MID + "/filtered", "application/alto-networkmapfilter+json", filter);
            return c;
        });
    }

    /** The zero-copy path stays so: a held document's body on a cleartext connection is its shared copy, never pumped. */
    @Test
    void aHeldDocumentOnACleartextConnectionIsNotCounted() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0));
        String metrics = "http://127.0.0.1:" + origin.startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
        assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(origin.baseUri() + BIG)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        for (int i = 0; i < 20; i++) {
            NonReadingH2Client c = new NonReadingH2Client(address(), null);
            nonReaders.add(c);
            c.get(BIG);
        }
        try {
            PushTree.await(Duration.ofSeconds(30), "the 20 answers written", () -> answered(metrics) >= 21);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; answers: " + new String(Proxies.get(metrics).body(),
                    StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("rproxy_requests_total")).toList(), e);
        }
        assertEquals(0.0, meter(metrics, "rproxy_answers_pending_bytes"));
        assertEquals(0.0, meter(metrics, "rproxy_answers_deferred_total"));
    }

    /** The 200 answers to GET {@link #BIG} written so far. */
    private static double answered(String metrics) {
        try {
            return new String(Proxies.get(metrics).body(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith("rproxy_requests_total{") && l.contains("method=\"GET\"")
                            && l.contains("path=\"" + BIG + "\"") && l.contains("status=\"200\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", origin.address().getPort());
    }

    /** Starts the origin on {@code frontEnd} with the low bound, a short stall timeout and the big map; its public key. */
    private Path start(FrontEndConfig frontEnd) throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        Files.writeString(maps.resolve("big-network-map.json"), OriginEndToEndIT.bigNetworkMap(30_000)); // ~1.2 MB
        Files.writeString(maps.resolve("mid-network-map.json"), OriginEndToEndIT.bigNetworkMap(10_000)); // ~400 KB
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        FrontEndConfig fe = frontEnd.withMaxPendingSendBytes(BUDGET).withIdleTimeout(Duration.ofSeconds(1))
                .withSendBufferBytes(64 * 1024);
        origin = Origin.start(new OriginConfig(fe, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60), List.of(),
                "bounded", null));
        return pub;
    }

    private interface Ask {
        NonReadingH2Client open() throws Exception;
    }

    /**
     * Opens {@code count} non-readers, each asking and reading nothing, and checks the bound while they
     * hold it: a small document is served meanwhile, answers past the bound wait.
     */
    private void boundHolds(HttpClient client, int count, Ask ask) throws Exception {
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
                nonReaders.add(ask.open());
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
            // A small document is served meanwhile.
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(origin.baseUri()
                    + "/networkmap/default-network-map")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            // The first ones leave, which hands the bound on to the last ones, waiting; the stall timeout
            // resets their streams as each gets its turn and takes nothing (their connections then close,
            // idle), and all is given back.
            while (nonReaders.size() > STALLED) {
                nonReaders.remove(0).close();
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

    private static double meter(String metrics, String series) {
        try {
            return PrometheusPage.sample(new String(Proxies.get(metrics).body(), StandardCharsets.UTF_8), series)
                    .orElse(-1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

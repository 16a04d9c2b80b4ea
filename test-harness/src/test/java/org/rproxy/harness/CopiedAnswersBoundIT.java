package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import javax.net.ssl.SSLSocket;

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
 * Many clients that ask for a large map and never read, on a real origin: over TLS (which
 * encrypts what is written into new buffers) and for a computed answer (a heap body, copied into
 * direct memory when written), each response used to hold a whole copy of its body in direct
 * memory (about 1.3 MB each for this 1.2 MB map), so enough of them exhausted it.
 * With the front end's bound ({@code maxPendingSendBytes}) set low, the direct memory they hold
 * stays within it plus the allocator's slack, answers past it wait (counted), a small answer is
 * served meanwhile, a reading client gets the large one whole once the stall timeout has cut the
 * non-readers off, and the bound is all given back.
 */
class CopiedAnswersBoundIT {

    private static final int NON_READERS = 30;
    /** Less than the non-readers take with a part or two each, so some of them must wait. */
    private static final long BUDGET = 1L << 20;
    private static final String BIG = "/networkmap/big-network-map";
    /** What the allocator holds beyond the bytes in use (its chunks, per event loop), as {@code PendingBytesBoundIT} found. */
    private static final long ALLOCATOR_SLACK = 12L << 20;

    @TempDir
    Path dir;
    private Origin origin;
    private final List<Socket> nonReaders = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : nonReaders) {
            s.close();
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
        byte[] get = ("GET " + BIG + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_1_1).build();
        boundHolds(client, () -> {
            Socket raw = new Socket();
            raw.setReceiveBufferSize(4096);
            raw.connect(new InetSocketAddress("127.0.0.1", origin.address().getPort()), 5000);
            SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket(raw, "127.0.0.1", origin.address().getPort(),
                    true);
            s.startHandshake();
            return s;
        }, get);
        // A reading client gets the large map whole and verified once the non-readers are cut off.
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + BIG)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertTrue(new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC())
                .verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(BIG, null)).valid());
    }

    @Test
    void clientsThatNeverReadALargeComputedAnswerHoldNoMoreThanTheBound() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0));
        String filter = "{\"pids\":[]}";
        byte[] post = ("POST " + BIG + "/filtered HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/alto-networkmapfilter+json\r\nContent-Length: " + filter.length()
                + "\r\n\r\n" + filter).getBytes(StandardCharsets.US_ASCII);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        boundHolds(client, () -> {
            Socket s = new Socket();
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", origin.address().getPort()), 5000);
            return s;
        }, post);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + BIG + "/filtered"))
                .header("Content-Type", "application/alto-networkmapfilter+json")
                .POST(HttpRequest.BodyPublishers.ofString(filter)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"pop-29999\""), "the whole answer");
    }

    /** Starts the origin on {@code frontEnd} with the low bound, a short stall timeout and the big map; its public key. */
    private Path start(FrontEndConfig frontEnd) throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        Files.writeString(maps.resolve("big-network-map.json"), OriginEndToEndIT.bigNetworkMap(30_000)); // ~1.2 MB
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        FrontEndConfig fe = frontEnd.withMaxPendingSendBytes(BUDGET).withIdleTimeout(Duration.ofSeconds(1))
                .withSendBufferBytes(64 * 1024);
        origin = Origin.start(new OriginConfig(fe, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60), List.of(),
                "bounded", null));
        return pub;
    }

    private interface Connect {
        Socket open() throws Exception;
    }

    /**
     * Opens the non-readers, each sending {@code request} and reading nothing, and checks the
     * bound while they hold it: a small document is served meanwhile, answers past the bound wait.
     */
    private void boundHolds(HttpClient client, Connect connect, byte[] request) throws Exception {
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
            for (int i = 0; i < NON_READERS; i++) {
                Socket s = connect.open();
                nonReaders.add(s);
                OutputStream out = s.getOutputStream();
                out.write(request);
                out.flush();
            }
            long bound = BUDGET + ALLOCATOR_SLACK;
            PushTree.await(Duration.ofSeconds(20), "answers wait for the bound, or direct memory passes it (held "
                    + (directUsed() - before) + ")",
                    () -> meter(metrics, "rproxy_answers_deferred_total") > 0 || peak.get() - before > bound);
            long held = directUsed() - before;
            assertTrue(held <= bound, "direct memory held by " + NON_READERS + " clients that never read: " + held
                    + " (expected: at most " + bound + ")");
            double pending = meter(metrics, "rproxy_answers_pending_bytes");
            assertTrue(pending > 0 && pending <= BUDGET + 2 * 64 * 1024, "pending: " + pending);
            assertEquals((double) BUDGET, meter(metrics, "rproxy_answers_pending_max_bytes"));
            // A small document is served meanwhile.
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(origin.baseUri()
                    + "/networkmap/default-network-map")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            // The stall timeout cuts the non-readers off, a bound's worth at a time (each waits its turn,
            // then stalls; over TLS its close waits for close_notify to time out), and all is given back.
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

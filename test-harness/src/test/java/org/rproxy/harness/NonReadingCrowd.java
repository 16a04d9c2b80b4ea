package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.SSLContext;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * What the HTTP/2 non-reader bound ITs share: an origin over TLS whose filtered network map is a
 * computed answer of about 54 KB (under 64 KB: written whole, not in parts under the send bound),
 * its /metrics, clients that ask on many streams and never read, reading HTTP/2 clients, and the
 * heap after a full collection (with one meter beside it) sampled while they run. Closes the
 * origin, and with it every client it holds.
 */
final class NonReadingCrowd implements AutoCloseable {
    private static final String FILTERED = "/networkmap/small-network-map/filtered";
    private static final String FILTER = "{\"pids\":[]}";
    private static final String TYPE = "application/alto-networkmapfilter+json";

    private final SlowReaderOrigin origin;
    private final SSLContext trusting;
    private final String metrics;
    /** The size of the computed answer, read by a first query that checked it. */
    private final int answerBytes;
    /** The connections {@link #askAndNeverRead} opened (the origin holds them too, to close at the end). */
    private final List<NonReadingH2Client> nonReaders = new ArrayList<>();

    private NonReadingCrowd(SlowReaderOrigin origin, SSLContext trusting) throws IOException {
        this.origin = origin;
        this.trusting = trusting;
        this.metrics = "http://127.0.0.1:" + origin.origin().startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
        HttpResponse<byte[]> first = query(reader()).join();
        assertEquals(200, first.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, first.version());
        assertTrue(first.body().length > 40_000 && first.body().length < 64 * 1024,
                "an answer under 64 KB, not sent in parts: " + first.body().length + " bytes");
        this.answerBytes = first.body().length;
    }

    /** The origin over TLS with {@code frontEnd}'s settings and {@code stallTimeout}, checked with a first query. */
    static NonReadingCrowd start(Path dir, FrontEndConfig frontEnd, Duration stallTimeout) throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "origin-tls");
        SlowReaderOrigin origin = SlowReaderOrigin.start(dir, frontEnd.withSslContext(Tls.server(
                new TlsConfig(cert.cert(), cert.key()))), Map.of("small-network-map", 1500), stallTimeout);
        try {
            return new NonReadingCrowd(origin, cert.trustingContext());
        } catch (IOException | RuntimeException | AssertionError e) {
            origin.close();
            throw e;
        }
    }

    /** The value of meter {@code name} on the origin's /metrics. */
    double meter(String name) {
        return SlowReaderOrigin.meter(metrics, name);
    }

    /** The computed answer's size in bytes. */
    int answerBytes() {
        return answerBytes;
    }

    /** A new reading HTTP/2 client (its connection opened by its first query). */
    HttpClient reader() {
        return HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
    }

    /** The filtered network map asked by {@code client}. */
    CompletableFuture<HttpResponse<byte[]>> query(HttpClient client) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(origin.origin().baseUri() + FILTERED))
                .header("Content-Type", TYPE).POST(HttpRequest.BodyPublishers.ofString(FILTER)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * {@code clients} connections, each asking on {@code streams} streams and reading nothing; a
     * connection the stall timeout closes before all its requests are written (a busy machine) asks
     * no more, and one it closes before its TLS handshake ends (the timeout counts from accept, and
     * the tests' are a few seconds) asks nothing.
     */
    void askAndNeverRead(int clients, int streams) throws Exception {
        byte[] filter = FILTER.getBytes(StandardCharsets.US_ASCII);
        for (int c = 0; c < clients; c++) {
            NonReadingH2Client client;
            try {
                client = origin.hold(new NonReadingH2Client(origin.address(), trusting));
            } catch (IOException e) {
                continue; // closed by the stall timeout mid-handshake
            }
            nonReaders.add(client);
            try {
                for (int i = 0; i < streams; i++) {
                    client.post(FILTERED, TYPE, filter);
                }
            } catch (IOException e) {
                // closed by the stall timeout already
            }
        }
    }

    /** A client from the local address {@code from} that asks and never reads, closed with the origin. */
    NonReadingH2Client nonReader(InetAddress from) throws IOException {
        return origin.hold(new NonReadingH2Client(from, origin.address(), trusting));
    }

    /** Asks {@code client} for the computed answer on {@code streams} new streams. */
    void ask(NonReadingH2Client client, int streams) throws IOException {
        byte[] filter = FILTER.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < streams; i++) {
            client.post(FILTERED, TYPE, filter);
        }
    }

    /**
     * Closes every non-reader's connection from its side (reset, as a client that goes away): for
     * a test that has checked what it needs while they held their places and needs them gone,
     * not to wait out the stall timeout that would close them.
     */
    void closeNonReaders() throws IOException {
        for (NonReadingH2Client c : nonReaders) {
            c.close();
        }
    }

    /** Samples, every 50 ms until closed, the heap after a full collection and the highest value of one meter. */
    Sampler sample(String meterName) {
        return new Sampler(meterName);
    }

    @Override
    public void close() throws IOException {
        origin.close();
    }

    /** The heap's and one meter's peaks while it runs. */
    final class Sampler implements AutoCloseable {
        final long heapBefore = SlowReaderOrigin.heapAfterGc();
        private final AtomicLong heapPeak = new AtomicLong(heapBefore);
        private final AtomicLong meterPeak = new AtomicLong();
        private final AtomicBoolean sampling = new AtomicBoolean(true);
        private final Thread thread;

        private Sampler(String meterName) {
            thread = new Thread(() -> {
                while (sampling.get()) {
                    heapPeak.accumulateAndGet(SlowReaderOrigin.heapAfterGc(), Math::max);
                    if (meterName != null) {
                        meterPeak.accumulateAndGet((long) meter(meterName), Math::max);
                    }
                    LockSupport.parkNanos(50_000_000);
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        /** The most heap held over what it held before, so far. */
        long heapHeld() {
            return heapPeak.get() - heapBefore;
        }

        /** The meter's highest value so far. */
        long meterPeak() {
            return meterPeak.get();
        }

        /** Stops the sampling and waits for its last sample (a test interrupted meanwhile stays interrupted). */
        @Override
        public void close() {
            sampling.set(false);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * HTTP/2 clients that open their windows wide, ask on hundreds of streams for a computed answer
 * under 64 KB (one that is written whole, not in parts under the node's send bound) and never
 * read. Each stream's request used to be answered at once and its answer kept on the heap until
 * the stream could be written, which for these clients was never: 4 connections of 500 streams
 * held 136 MB, for as long as they stayed open, since neither the idle nor the stall timeout ran
 * for answers never handed to their stream; and a reading client's queries queued behind their
 * 2,000 computations. Now a connection has at most 32 streams answered at once (the others wait,
 * unstarted), each answer is handed to its stream when made, and the stall timeout (1 s here)
 * closes a connection that takes none of it: the non-readers hold at most 32 answers each, for
 * one timeout, and a reading HTTP/2 client's queries, sent at once on one connection, are all
 * answered meanwhile.
 */
class Http2SmallAnswersBoundIT {

    private static final String FILTERED = "/networkmap/small-network-map/filtered";
    private static final String FILTER = "{\"pids\":[]}";
    private static final String TYPE = "application/alto-networkmapfilter+json";
    private static final int NON_READERS = 4;
    private static final int STREAMS = 500;
    /** The reading client's queries, all at once on its one connection. */
    private static final int READER_QUERIES = 64;
    /**
     * 4 connections × 32 answers of about 54 KB (7 MB), the 2,000 streams' own state (open streams, a few KB each,
     * bounded by max-concurrent-streams, not by this change), the reading client's 64 answers kept until the end
     * (3.5 MB), and what a full GC leaves behind (17 to 25 MB measured in all); with every stream answered at once,
     * 142 MB were measured.
     */
    private static final long HEAP_AT_MOST = 40L << 20;

    @TempDir
    Path dir;
    private SlowReaderOrigin origin;

    @AfterEach
    void stop() throws Exception {
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void clientsThatNeverReadHoldAFewAnswersPerConnectionAndAreClosedByTheStallTimeout() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "origin-tls");
        origin = SlowReaderOrigin.start(dir, FrontEndConfig.defaults("127.0.0.1", 0)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))), Map.of("small-network-map", 1500));
        SSLContext trusting = cert.trustingContext();
        String metrics = "http://127.0.0.1:" + origin.origin().startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
        HttpClient reader = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<byte[]> first = query(reader).join();
        assertEquals(200, first.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, first.version());
        assertTrue(first.body().length > 40_000 && first.body().length < 64 * 1024, "an answer under 64 KB, not sent in parts: "
                + first.body().length + " bytes");

        long heapBefore = SlowReaderOrigin.heapAfterGc();
        AtomicLong heapPeak = new AtomicLong(heapBefore);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                heapPeak.accumulateAndGet(SlowReaderOrigin.heapAfterGc(), Math::max);
                LockSupport.parkNanos(50_000_000);
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        List<CompletableFuture<HttpResponse<byte[]>>> queries = new ArrayList<>();
        try {
            byte[] filter = FILTER.getBytes(StandardCharsets.US_ASCII);
            for (int c = 0; c < NON_READERS; c++) {
                NonReadingH2Client client = origin.hold(new NonReadingH2Client(origin.address(), trusting));
                try {
                    for (int i = 0; i < STREAMS; i++) {
                        client.post(FILTERED, TYPE, filter);
                    }
                } catch (IOException e) {
                    // closed by the stall timeout already (on a busy machine writing 500 requests can take longer)
                }
            }
            // meanwhile, on one connection: a new one, opened by a first query (the first client's has had its idle timeout)
            HttpClient meanwhile = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
            assertEquals(200, query(meanwhile).join().statusCode());
            for (int i = 0; i < READER_QUERIES; i++) {
                queries.add(query(meanwhile));
            }
            // each stream's request body is counted until its stream closes: back to none once the stall
            // timeout has closed the non-readers' connections, whose streams waiting for their turn close with them
            PushTree.await(Duration.ofSeconds(20), "the non-readers closed by the stall timeout, all their streams with them",
                    () -> SlowReaderOrigin.meter(metrics, "rproxy_request_body_bytes") == 0);
            for (CompletableFuture<HttpResponse<byte[]>> q : queries) {
                HttpResponse<byte[]> r = q.join();
                assertEquals(200, r.statusCode(), "a reading client's query meanwhile: "
                        + new String(r.body(), StandardCharsets.UTF_8));
                assertEquals(HttpClient.Version.HTTP_2, r.version());
                assertEquals(first.body().length, r.body().length);
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        long heap = heapPeak.get() - heapBefore;
        assertTrue(heap <= HEAP_AT_MOST, "heap held while " + NON_READERS + " clients asked on " + STREAMS
                + " streams each and read nothing (and one read " + READER_QUERIES + " answers): " + heap
                + " (expected: at most " + HEAP_AT_MOST + ")");
        assertEquals(200, query(HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build())
                .join().statusCode(), "a reading client once the non-readers are gone");
    }

    private CompletableFuture<HttpResponse<byte[]>> query(HttpClient client) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(origin.origin().baseUri() + FILTERED))
                .header("Content-Type", TYPE).POST(HttpRequest.BodyPublishers.ofString(FILTER)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}

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
 * Many HTTP/2 clients, each asking on 32 streams (as many as a connection has answered at once)
 * for a computed answer under 64 KB and reading nothing: what the node holds for them all is
 * bounded by {@code maxAnswersHeld}, not by their number. Before the bound each connection held
 * its 32 answers on the heap until the stall timeout (1.7 MB a connection measured, 514 MB for
 * 300 of them, a 1 GB heap full at about 600). Here, at a small scale, 20 such connections, a
 * bound of 64 and a 4 s stall timeout (long enough for every answer to be made without the
 * bound): the heap held after a full collection stays within the bound's answers and some slack,
 * the streams past it wait (counted), and once the stall timeout has closed the non-readers every
 * place is given back and a reading client's queries, asked meanwhile on its own connection,
 * are all answered 200 (after the non-readers ahead of them: each round of the bound's worth
 * waits one stall timeout).
 */
class Http2AnswersHeldBoundIT {

    private static final String FILTERED = "/networkmap/small-network-map/filtered";
    private static final String FILTER = "{\"pids\":[]}";
    private static final String TYPE = "application/alto-networkmapfilter+json";
    private static final int NON_READERS = 20;
    private static final int STREAMS = 32;
    private static final int BOUND = 64;
    private static final int READER_QUERIES = 16;
    /**
     * The bound's answers (64 of about 54 KB: 3.5 MB), the 640 streams' own state and the 20 TLS connections' (a few
     * KB a stream, more a connection: 12 to 15 MB measured in all with the bound), the reading client's answers kept
     * until the end (1 MB), and what a full collection leaves behind. Without the bound, every stream's answer was
     * held: 43 to 46 MB measured.
     */
    private static final long HEAP_AT_MOST = 22L << 20;

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
    void answersHeldForClientsThatNeverReadStayWithinTheNodesBound() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "origin-tls");
        origin = SlowReaderOrigin.start(dir, FrontEndConfig.defaults("127.0.0.1", 0).withMaxAnswersHeld(BOUND)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))), Map.of("small-network-map", 1500),
                Duration.ofSeconds(4));
        SSLContext trusting = cert.trustingContext();
        String metrics = "http://127.0.0.1:" + origin.origin().startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
        HttpClient reader = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<byte[]> first = query(reader).join();
        assertEquals(200, first.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, first.version());
        assertTrue(first.body().length > 40_000 && first.body().length < 64 * 1024, "an answer under 64 KB, not sent in parts: "
                + first.body().length + " bytes");
        assertEquals(BOUND, SlowReaderOrigin.meter(metrics, "rproxy_answers_held_max"));

        long heapBefore = SlowReaderOrigin.heapAfterGc();
        AtomicLong heapPeak = new AtomicLong(heapBefore);
        AtomicLong heldPeak = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                heapPeak.accumulateAndGet(SlowReaderOrigin.heapAfterGc(), Math::max);
                heldPeak.accumulateAndGet((long) SlowReaderOrigin.meter(metrics, "rproxy_answers_held"), Math::max);
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
                    // closed by the stall timeout already (a busy machine)
                }
            }
            PushTree.await(Duration.ofSeconds(20), "streams waiting for the node's bound, or the heap past it",
                    () -> SlowReaderOrigin.meter(metrics, "rproxy_answers_held_waits_total") > 0
                            || heapPeak.get() - heapBefore > HEAP_AT_MOST);
            HttpClient meanwhile = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
            for (int i = 0; i < READER_QUERIES; i++) {
                queries.add(query(meanwhile));
            }
            // each in its turn: the non-readers' streams, holding or waiting, go as the stall timeout closes them
            PushTree.await(Duration.ofSeconds(120), "the non-readers closed by the stall timeout, every place given back",
                    () -> SlowReaderOrigin.meter(metrics, "rproxy_request_body_bytes") == 0
                            && SlowReaderOrigin.meter(metrics, "rproxy_answers_held") == 0
                            && queries.stream().allMatch(CompletableFuture::isDone));
            for (CompletableFuture<HttpResponse<byte[]>> q : queries) {
                HttpResponse<byte[]> r = q.join();
                assertEquals(200, r.statusCode(), "a reading client's query meanwhile: "
                        + new String(r.body(), StandardCharsets.UTF_8));
                assertEquals(first.body().length, r.body().length);
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        long heap = heapPeak.get() - heapBefore;
        System.out.printf("answers held at most %d, heap at most %d bytes over %d before, %.0f waits%n", heldPeak.get(), heap,
                heapBefore, SlowReaderOrigin.meter(metrics, "rproxy_answers_held_waits_total"));
        assertTrue(heldPeak.get() <= BOUND, "answers held at most: " + heldPeak.get() + " (expected: at most " + BOUND + ")");
        assertTrue(heap <= HEAP_AT_MOST, "heap held while " + NON_READERS + " clients asked on " + STREAMS
                + " streams each and read nothing: " + heap + " (expected: at most " + HEAP_AT_MOST + ")");
        assertEquals(0, SlowReaderOrigin.meter(metrics, "rproxy_answers_held"), "every place given back");
    }

    private CompletableFuture<HttpResponse<byte[]>> query(HttpClient client) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(origin.origin().baseUri() + FILTERED))
                .header("Content-Type", TYPE).POST(HttpRequest.BodyPublishers.ofString(FILTER)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}

package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/**
 * One client that pipelines a hundred POSTs for a computed 1.2 MB answer on one plain HTTP/1.1
 * connection and never reads (a 4 KB receive buffer): the node makes the next answer only once
 * the one before is handed to the connection and the connection is writable, so the client holds
 * the answer going out (its parts within the node's bound) and no other. Made ahead, as they were,
 * 32 answers sat on the heap until the idle timeout closed the connection, outside every bound
 * (69 MB measured), and a reading client's query was refused (503) meanwhile, the query pool
 * taken up by them. Now the reading client is served in full meanwhile, and the idle timeout (3 s
 * here) ends the non-reader and gives its parts back.
 */
class PipelinedAnswersBoundIT {

    private static final String BIG = SlowReaderOrigin.BIG;
    private static final String FILTER = "{\"pids\":[]}";
    private static final int PIPELINED = 100;
    /**
     * The answer going out (1.2 MB), the reading client's while it is made and sent, and what a
     * full GC leaves behind (3.8 MB measured); made ahead, 32 answers held 69 MB.
     */
    private static final long HEAP_AT_MOST = 8L << 20;

    @TempDir
    Path dir;
    private Origin origin;
    private Socket pipeliner;

    @AfterEach
    void stop() throws Exception {
        if (pipeliner != null) {
            pipeliner.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void aClientThatPipelinesAndNeverReadsHoldsOneAnswerNotThirtyTwo() throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        Files.writeString(maps.resolve("big-network-map.json"), OriginEndToEndIT.bigNetworkMap(30_000)); // ~1.2 MB
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        FrontEndConfig fe = FrontEndConfig.defaults("127.0.0.1", 0).withMaxPendingSendBytes(SlowReaderOrigin.BUDGET)
                .withIdleTimeout(Duration.ofSeconds(3)).withSendBufferBytes(64 * 1024);
        origin = Origin.start(new OriginConfig(fe, maps, priv, Duration.ofHours(1), Duration.ofSeconds(60), List.of(),
                "pipelined", null));
        String metrics = "http://127.0.0.1:" + origin.startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long answerBytes = postFiltered(client);

        long heapBefore = SlowReaderOrigin.heapAfterGc();
        long directBefore = SlowReaderOrigin.directUsed();
        AtomicLong heapPeak = new AtomicLong(heapBefore);
        AtomicLong directPeak = new AtomicLong(directBefore);
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicBoolean paused = new AtomicBoolean();
        AtomicLong sampled = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                long heap = SlowReaderOrigin.heapAfterGc();
                if (!paused.get()) {
                    heapPeak.accumulateAndGet(heap, Math::max);
                }
                directPeak.accumulateAndGet(SlowReaderOrigin.directUsed(), Math::max);
                sampled.incrementAndGet();
                LockSupport.parkNanos(50_000_000);
            }
        }, "memory-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            pipeliner = new Socket();
            pipeliner.setReceiveBufferSize(4096);
            pipeliner.connect(new InetSocketAddress("127.0.0.1", origin.address().getPort()), 5000);
            byte[] post = ("POST " + BIG + "/filtered HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/alto-networkmapfilter+json\r\nContent-Length: " + FILTER.length()
                    + "\r\n\r\n" + FILTER).getBytes(StandardCharsets.US_ASCII);
            OutputStream out = pipeliner.getOutputStream();
            out.write(repeat(post, PIPELINED));
            out.flush();
            PushTree.await(Duration.ofSeconds(20), "the first answer going out in parts",
                    () -> SlowReaderOrigin.meter(metrics, "rproxy_answers_pending_bytes") > 0);

            paused.set(true); // what the reading client's answer takes while it is made and sent is not the non-reader's
            try {
                assertEquals(answerBytes, postFiltered(client), "a reading client gets the large answer whole meanwhile");
            } finally {
                heapPeakPaused(paused, sampled);
            }
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(origin.baseUri()
                    + "/networkmap/default-network-map")).build(), HttpResponse.BodyHandlers.discarding()).statusCode(),
                    "a small document is served meanwhile");

            // the idle timeout ends the non-reader: its parts are given back
            PushTree.await(Duration.ofSeconds(20), "the non-reader closed and its parts given back",
                    () -> SlowReaderOrigin.meter(metrics, "rproxy_answers_pending_bytes") == 0);
        } finally {
            sampling.set(false);
            sampler.join();
        }
        long heap = heapPeak.get() - heapBefore;
        long direct = directPeak.get() - directBefore;
        assertTrue(heap <= HEAP_AT_MOST, "heap held while one client pipelined " + PIPELINED
                + " requests and read nothing: " + heap + " (expected: at most " + HEAP_AT_MOST + ")");
        long directBound = SlowReaderOrigin.BUDGET + SlowReaderOrigin.ALLOCATOR_SLACK;
        assertTrue(direct <= directBound, "direct memory: " + direct + " (expected: at most " + directBound + ")");
    }

    /** POSTs the filter as a reading client and returns the answer's length, read through without keeping it. */
    private long postFiltered(HttpClient client) throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + BIG + "/filtered"))
                .header("Content-Type", "application/alto-networkmapfilter+json")
                .POST(HttpRequest.BodyPublishers.ofString(FILTER)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream in = r.body()) {
            long n = in.transferTo(OutputStream.nullOutputStream());
            assertTrue(n > 1_000_000, "the whole answer: " + n + " bytes");
            return n;
        }
    }

    /**
     * Ends a pause of the heap's sampling once a sample begun after the reading client's answer has
     * come back: a sample whose collection ran during the answer must not count.
     */
    private static void heapPeakPaused(AtomicBoolean paused, AtomicLong sampled) {
        long now = sampled.get();
        PushTree.await(Duration.ofSeconds(10), "a heap sample after the reading client's answer", () -> sampled.get() >= now + 2);
        paused.set(false);
    }

    private static byte[] repeat(byte[] one, int times) {
        byte[] all = new byte[one.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }
}

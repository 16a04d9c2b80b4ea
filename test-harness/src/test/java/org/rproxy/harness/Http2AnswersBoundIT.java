package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;
import org.rproxy.origin.Origin;

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
    private static final String BIG = SlowReaderOrigin.BIG;
    /**
     * A map whose filtered answer (about 400 KB) fills a non-reader's socket buffers and its
     * connection's outbound buffer, while {@link #CLEARTEXT_NON_READERS} of them on the heap are no burden.
     */
    private static final String MID = "/networkmap/mid-network-map";
    /**
     * The origin's stall timeout, which is also its idle and first-byte timeout: each non-reader's
     * connect, TLS handshake and request must come within it, or the origin closes the connection
     * before the request and its write fails ("Broken pipe", as a client held 1.5 s between its
     * handshake and its request shows at 1 s). At 1 s that failed once opening the 300 TLS
     * non-readers at load 28, where the test's handshakes and the origin's encryption share two
     * cores with the build. Five times that; the stalled non-readers' turns at the end take longer.
     */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(5);

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
    void clientsThatNeverReadALargeMapOverTlsHoldNoMoreThanTheBound() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "origin-tls");
        start(FrontEndConfig.defaults("127.0.0.1", 0).withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))));
        SSLContext trusting = cert.trustingContext();
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2).build();
        origin.boundHolds(client, NON_READERS, () -> {
            NonReadingH2Client c = new NonReadingH2Client(origin.address(), trusting);
            c.get(BIG);
            return c;
        });
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(origin.origin().baseUri() + BIG)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertTrue(new ResponseVerifier(List.of(VerificationKey.readPem(origin.publicKey())), Clock.systemUTC())
                .verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(BIG, null)).valid());
    }

    @Test
    void clientsThatNeverReadALargeComputedAnswerHoldNoMoreThanTheBound() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0));
        byte[] filter = "{\"pids\":[]}".getBytes(StandardCharsets.US_ASCII);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        origin.boundHolds(client, CLEARTEXT_NON_READERS, () -> {
            NonReadingH2Client c = new NonReadingH2Client(origin.address(), null);
            c.post(MID + "/filtered", "application/alto-networkmapfilter+json", filter);
            return c;
        });
    }

    /** The zero-copy path stays so: a held document's body on a cleartext connection is its shared copy, never pumped. */
    @Test
    void aHeldDocumentOnACleartextConnectionIsNotCounted() throws Exception {
        start(FrontEndConfig.defaults("127.0.0.1", 0));
        Origin node = origin.origin();
        String metrics = "http://127.0.0.1:" + node.startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
        assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.baseUri() + BIG)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        for (int i = 0; i < 20; i++) {
            origin.hold(new NonReadingH2Client(origin.address(), null)).get(BIG);
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

    /** Starts the origin on {@code frontEnd} with the low bound, the {@link #STALL_TIMEOUT} and the big and mid maps. */
    private void start(FrontEndConfig frontEnd) throws Exception {
        origin = SlowReaderOrigin.start(dir, frontEnd,
                Map.of("big-network-map", 30_000, "mid-network-map", 10_000), STALL_TIMEOUT); // ~1.2 MB, ~400 KB
    }

    private static double meter(String metrics, String series) {
        return SlowReaderOrigin.meter(metrics, series);
    }
}

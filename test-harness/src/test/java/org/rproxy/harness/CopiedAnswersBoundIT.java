package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * Many clients that ask for a large map and never read, on a real origin: over TLS (which
 * encrypts what is written into new buffers) and for a computed answer (a heap body, copied into
 * direct memory when written), each response used to hold a whole copy of its body in direct
 * memory (about 1.3 MB each for this 1.2 MB map), so enough of them exhausted it.
 * With the front end's bound ({@code maxPendingSendBytes}) set low, the direct memory they hold
 * stays within it plus the allocator's slack, answers past it wait (counted), a small answer is
 * served meanwhile, a reading client gets the large one whole once the non-readers have left or
 * the stall timeout has cut them off, and the bound is all given back.
 */
class CopiedAnswersBoundIT {

    private static final int NON_READERS = 30;
    private static final String BIG = SlowReaderOrigin.BIG;

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
        byte[] get = ("GET " + BIG + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_1_1).build();
        boundHolds(client, () -> {
            Socket raw = new Socket();
            raw.setReceiveBufferSize(4096);
            raw.connect(origin.address(), 5000);
            SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket(raw, "127.0.0.1", origin.address().getPort(),
                    true);
            s.startHandshake();
            return s;
        }, get);
        // A reading client gets the large map whole and verified once the non-readers have gone.
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(origin.origin().baseUri() + BIG)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertTrue(new ResponseVerifier(List.of(VerificationKey.readPem(origin.publicKey())), Clock.systemUTC())
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
            s.connect(origin.address(), 5000);
            return s;
        }, post);
        // The answers the leavers asked for may still be in the making when their bytes are given
        // back: until those are done the node sheds a new query (503, the overload answer), which
        // is what it should do; a reading client is then served once it has caught up.
        HttpRequest ask = HttpRequest.newBuilder(URI.create(origin.origin().baseUri() + BIG + "/filtered"))
                .header("Content-Type", "application/alto-networkmapfilter+json")
                .POST(HttpRequest.BodyPublishers.ofString(filter)).build();
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        PushTree.await(Duration.ofSeconds(60), "a reading client served the computed answer", () -> {
            try {
                last.set(client.send(ask, HttpResponse.BodyHandlers.ofString()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            int status = last.get().statusCode();
            assertTrue(status == 200 || status == 503, () -> "status " + status + ": " + last.get().body());
            if (status == 503) {
                LockSupport.parkNanos(200_000_000L); // as a client told to come back would: not at once
            }
            return status == 200;
        });
        HttpResponse<String> r = last.get();
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"pop-29999\""), "the whole answer");
    }

    /** Starts the origin on {@code frontEnd} with the low bound, a short stall timeout and the big map. */
    private void start(FrontEndConfig frontEnd) throws Exception {
        origin = SlowReaderOrigin.start(dir, frontEnd, Map.of("big-network-map", 30_000)); // ~1.2 MB
    }

    private interface Connect {
        Socket open() throws Exception;
    }

    /**
     * Opens the non-readers, each sending {@code request} and reading nothing, and checks the bound
     * while they hold it; then the first ones leave, and the stall timeout cuts the last ones off, a
     * bound's worth at a time (each waits its turn, then stalls; over TLS its close waits for
     * close_notify to time out).
     */
    private void boundHolds(HttpClient client, Connect connect, byte[] request) throws Exception {
        origin.boundHolds(client, NON_READERS, () -> {
            Socket s = connect.open();
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            return s;
        });
    }
}

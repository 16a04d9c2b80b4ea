package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/** The directory the push feed starts from, fetched over a real socket and checked as a document. */
class PulledDocumentTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String BODY = "{\"resources\":{}}";

    private final TestSigner origin = new TestSigner();
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()),
            Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC));
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void theIdentityVariantIsTaken() throws Exception {
        Representation signed = origin.sign(StreamDiscovery.DIRECTORY, BODY, true, T0, Duration.ofHours(1), 60);
        Representation r = PulledDocument.verify(StreamDiscovery.DIRECTORY, get(signed.identity()), verifier)
                .representation();
        assertEquals(signed.identity().body(), r.identity().body());
        assertNull(r.identity().contentEncoding());
    }

    @Test
    void theGzipVariantWithItsCodingIsNotTakenAsTheDocument() throws Exception {
        // An upstream answers a request without Accept-Encoding with the gzip variant, its signed
        // fields and Content-Encoding: gzip. Before, that verified and the gzip bytes were held as
        // the directory itself.
        Representation signed = origin.sign(StreamDiscovery.DIRECTORY, BODY, true, T0, Duration.ofHours(1), 60);
        HttpResponse<byte[]> resp = get(signed.gzip());
        assertEquals("gzip", resp.headers().firstValue("content-encoding").orElse(null));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PulledDocument.verify(StreamDiscovery.DIRECTORY, resp, verifier));
        assertTrue(e.getMessage().contains("CODING_MISMATCH"), e.getMessage());
    }

    /**
     * Another signature beside the origin's, on field lines of its own before the origin's (RFC
     * 9421 §4: several signatures, each its own member; RFC 9110 §5.3: lines of a field are one
     * list): the {@code alto} member is read from all lines, as the pull feed and the client read
     * it. Only the first line was read, so the directory had "no signature" and the feed could not
     * start from it.
     */
    @Test
    void theAltoSignatureIsFoundOnAnyLineOfItsFields() throws Exception {
        Representation signed = origin.sign(StreamDiscovery.DIRECTORY, BODY, false, T0, Duration.ofHours(1), 60);
        Representation r = PulledDocument.verify(StreamDiscovery.DIRECTORY, get(signed.identity(),
                List.of(new HeaderField("signature-input", "other=(\"etag\");created=1"),
                        new HeaderField("signature", "other=:AAAA:"))), verifier).representation();
        assertEquals(signed.identity().body(), r.identity().body());
    }

    /** Serves {@code v} (its bytes and header fields) once at the directory's path and GETs it. */
    private HttpResponse<byte[]> get(Variant v) throws IOException, InterruptedException {
        return get(v, List.of());
    }

    /** As {@link #get(Variant)}, with {@code before} on field lines ahead of {@code v}'s. */
    private HttpResponse<byte[]> get(Variant v, List<HeaderField> before) throws IOException, InterruptedException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(StreamDiscovery.DIRECTORY, exchange -> {
            for (HeaderField f : before) {
                exchange.getResponseHeaders().add(f.name(), f.value());
            }
            for (HeaderField f : v.headers()) {
                exchange.getResponseHeaders().add(f.name(), f.value());
            }
            byte[] body = v.body().unsafeArray();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + StreamDiscovery.DIRECTORY);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
